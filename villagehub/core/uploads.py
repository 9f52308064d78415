"""Checks for uploaded files (data-set files, images, documents): the size, and that the
content is what the name says, read from the file's first bytes rather than trusted from the
browser. Uploads live under MEDIA_ROOT (outside the code) and are served by `media_view` with
headers that keep a browser from running them."""

import filetype
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# What the content of each extension must look like: a binary kind filetype recognises, or
# text (UTF-8, no NUL byte).
BINARY_KINDS = {
    "png": {"png"}, "jpg": {"jpg"}, "jpeg": {"jpg"}, "gif": {"gif"}, "webp": {"webp"},
    "pdf": {"pdf"}, "zip": {"zip"}, "xlsx": {"zip", "xlsx"}, "ods": {"zip", "ods"},
}  # fmt: skip
TEXT_EXTENSIONS = {"csv", "json", "geojson", "ttl", "rdf", "jsonld", "xml", "txt"}
SNIFF_BYTES = 8192


def _head(upload) -> bytes:
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(position)
    return head if isinstance(head, bytes) else head.encode()


@deconstructible
class UploadValidator:
    """Refuse files over `max_bytes` and files whose content does not match their extension."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes

    def __call__(self, upload) -> None:
        if upload.size is not None and upload.size > self.max_bytes:
            raise ValidationError(
                _("The file is too large: at most %(mb)s MB."),
                params={"mb": self.max_bytes // (1024 * 1024)},
            )
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        head = _head(upload)
        if extension in TEXT_EXTENSIONS:
            if b"\x00" in head or not _is_utf8(head):
                raise ValidationError(_("The file is not UTF-8 text, as its name says."))
            return
        kind = filetype.guess(head)
        if (
            extension not in BINARY_KINDS
            or kind is None
            or kind.extension not in BINARY_KINDS[extension]
        ):
            raise ValidationError(
                _("The content of the file does not match its name (.%(extension)s)."),
                params={"extension": extension},
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, UploadValidator) and other.max_bytes == self.max_bytes


def _is_utf8(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # The sample may end in the middle of a character.
        return error.start >= len(head) - 3
    return True


def image_validators(*, max_bytes: int) -> list:
    """What every image field of the hub checks: a picture format browsers show, and its size
    and real content (`UploadValidator`)."""
    return [
        FileExtensionValidator(["png", "jpg", "jpeg", "webp"]),
        UploadValidator(max_bytes=max_bytes),
    ]
