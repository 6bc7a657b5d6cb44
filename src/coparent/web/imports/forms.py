from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings

from coparent.app.imports.jobs import JOB_SUFFIXES, ZIP_SUFFIX
from coparent.app.imports.services import CRM_EXPORT, UPLOAD_SUFFIXES
from coparent.schema import IMPORT_ORDER


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    file = MultipleFileField()
    table = forms.ChoiceField(
        choices=[
            *((t, t) for t in IMPORT_ORDER),
            (
                CRM_EXPORT,
                "a CRM export (HubSpot, Salesforce, Pipedrive; several files or a .zip)",
            ),
        ]
    )
    mode = forms.ChoiceField(
        choices=[("replace", "replace the table"), ("append", "append rows")], initial="replace"
    )
    mapping_file = forms.FileField(required=False)
    mapping = forms.CharField(required=False, max_length=255)
    action = forms.ChoiceField(choices=[("check", "check"), ("import", "import")], initial="import")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        uploads = data.get("file") or []
        table = data.get("table")
        if not uploads or table is None:
            return data
        export = table == CRM_EXPORT
        allowed = JOB_SUFFIXES if export else UPLOAD_SUFFIXES
        for upload in uploads:
            suffix = Path(upload.name or "").suffix.lower()
            if suffix not in allowed:
                what = "a CRM export" if export else "a table"
                self.add_error(
                    "file",
                    f"{upload.name}: {suffix or 'no extension'} is not a file for {what}; "
                    f"upload a {', '.join(allowed)} file",
                )
        if not export and len(uploads) > 1:
            self.add_error(
                "file",
                "one file per table; for several files of one CRM export choose 'a CRM export'",
            )
        if not export and any(Path(u.name or "").suffix.lower() == ZIP_SUFFIX for u in uploads):
            self.add_error("file", "a .zip is read as a whole CRM export: choose 'a CRM export'")
        limit = settings.COPARENT_MAX_UPLOAD_MB
        if sum(u.size or 0 for u in uploads) > limit * 1024 * 1024:
            self.add_error(
                "file",
                f"the upload is larger than {limit} MB; import it with coparent import "
                "(or raise COPARENT_MAX_UPLOAD_MB)",
            )
        return data
