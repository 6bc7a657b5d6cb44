from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings

from coparent.schema import IMPORT_ORDER
from coparent.web.imports.services import CRM_EXPORT, UPLOAD_SUFFIXES


class UploadForm(forms.Form):
    file = forms.FileField()
    table = forms.ChoiceField(
        choices=[
            *((t, t) for t in IMPORT_ORDER),
            (CRM_EXPORT, "a CRM export (HubSpot, Salesforce, Pipedrive: recognised)"),
        ]
    )
    mode = forms.ChoiceField(
        choices=[("replace", "replace the table"), ("append", "append rows")], initial="replace"
    )
    mapping_file = forms.FileField(required=False)
    mapping = forms.CharField(required=False, max_length=255)
    action = forms.ChoiceField(choices=[("check", "check"), ("import", "import")], initial="import")

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name or "").suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            raise forms.ValidationError(
                f"{suffix or 'no extension'}: upload a {', '.join(UPLOAD_SUFFIXES)} file"
            )
        limit = settings.COPARENT_MAX_UPLOAD_MB * 1024 * 1024
        if upload.size and upload.size > limit:
            raise forms.ValidationError(
                f"the file is larger than {settings.COPARENT_MAX_UPLOAD_MB} MB; "
                "import it with coparent import instead"
            )
        return upload
