"""The supervision methods beyond the patrol checklist: questioning, questionnaire, exam, focus checks."""
