"""Google Forms generated from the standards: the checklists' and every other instrument's.

- `form_spec`: pure generation of the `forms.create` body and the `forms.batchUpdate` requests
  (`build_forms(standards, instruments)`), and the helpers instruments build their forms with.
- `validate`: a validator built from the Forms API v1 discovery document.
- `plan`: pure diff of a live form against a generated one (update in place).
- `lock_file`: `forms/forms.lock.yaml`, its one reader and writer (`read_lock`, `read_locked_forms` for ingest).
- `google`: the only module that talks to the Forms API.
- `push`: create or update the forms, publish them, write the lock.
- `prefill`: prefilled responder links (project already chosen) and their QR codes.
"""
