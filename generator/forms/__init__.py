"""Google Forms generated from the checklists.

- `build`: pure generation of the `forms.create` body and the `forms.batchUpdate` requests.
- `validate`: a validator built from the Forms API v1 discovery document.
- `plan`: pure diff of a live form against a generated one (update in place).
- `lock`: `forms/forms.lock.yaml`, read by ingest (`read_lock`).
- `google`: the only module that talks to the Forms API.
- `push`: create or update the forms, publish them, write the lock.
- `prefill`: prefilled responder links (project already chosen) and their QR codes.
"""
