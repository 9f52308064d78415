"""Responsive sizes of uploaded images: smaller copies in WebP and JPEG, so that a card on a
slow line loads a picture of its own width rather than the uploaded file (up to 5 MB).

The copies live under `sizes/` beside the uploads, named after the original
(`sizes/practices/2026/sauna-640w.webp`), so no upload can take their name. What was made is
kept on the record (`image_variants`: the original's name and size and the widths written),
which is all a page needs to write `srcset`, `width` and `height` without opening a file.
"""

import re
from io import BytesIO
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from PIL import Image, ImageOps, UnidentifiedImageError

WIDTHS = (320, 640, 1280)
# Format of each copy: extension, Pillow's name and the options that keep it small.
FORMATS = {
    "webp": ("WEBP", {"quality": 80, "method": 4}),
    "jpg": ("JPEG", {"quality": 82, "optimize": True, "progressive": True}),
}
PREFIX = "sizes"


def variant_name(name: str, width: int, extension: str) -> str:
    path = PurePosixPath(name)
    return str(PurePosixPath(PREFIX, path.parent, f"{path.stem}-{width}w.{extension}"))


def variants_write(*, name: str, storage: Storage) -> dict:
    """Write the copies of the image stored as `name`; return what a page needs to show them,
    or an empty dict when the file is gone or is no picture Pillow can read."""
    try:
        with storage.open(name, "rb") as file, Image.open(file) as opened:
            opened.load()
            image = ImageOps.exif_transpose(opened)
    except (FileNotFoundError, UnidentifiedImageError, OSError, Image.DecompressionBombError):
        return {}
    # A picture narrower than the smallest width is kept at its own width, never enlarged.
    widths = [w for w in WIDTHS if w < image.width] or [image.width]
    for width in widths:
        height = max(1, round(image.height * width / image.width))
        scaled = image.resize((width, height), Image.Resampling.LANCZOS)
        alpha = _has_alpha(scaled)
        for extension, (kind, options) in FORMATS.items():
            if not alpha:
                copy = scaled.convert("RGB")
            else:  # WebP keeps the transparency; JPEG has none, so it goes on white
                copy = scaled.convert("RGBA") if kind == "WEBP" else _on_white(scaled)
            buffer = BytesIO()
            copy.save(buffer, kind, **options)
            target = variant_name(name, width, extension)
            storage.delete(target)  # written again: the same name, not a suffixed twin
            storage.save(target, ContentFile(buffer.getvalue()))
    return {"name": name, "width": image.width, "height": image.height, "widths": widths}


def variants_delete(*, name: str, storage: Storage) -> None:
    """Remove every size made from the image stored as `name`, whichever widths they have."""
    path = PurePosixPath(name)
    folder = PurePosixPath(PREFIX, path.parent)
    pattern = re.compile(rf"{re.escape(path.stem)}-\d+w\.({'|'.join(FORMATS)})")
    try:
        _folders, files = storage.listdir(str(folder))
    except FileNotFoundError:
        return
    for file in files:
        if pattern.fullmatch(file):
            storage.delete(str(folder / file))


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)


def _on_white(image: Image.Image) -> Image.Image:
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background
