"""Where frames come from: a camera, a video, image files, or a Pi camera via picamera2."""

from __future__ import annotations

import glob
import os
import time
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

from edge.imagefile import DEFAULT_MAX_PIXELS, display_name, load_image

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".gif", ".pgm", ".ppm"}
CAMERA_REOPEN_ATTEMPTS = 3
MAX_CAMERA_INDEX = 1023  # V4L2 numbers devices /dev/video0 upwards; OpenCV overflows on huge indices
CAMERA_REOPEN_DELAY_S = 1.0


class SourceError(RuntimeError):
    """A source cannot be opened, or stopped delivering frames for good."""


class ImageFiles:
    """Frames from a list of image files; unreadable ones are reported and skipped."""

    def __init__(self, paths: list[Path], on_error: Callable[[str], None] = lambda message: None,
                 max_pixels: int = DEFAULT_MAX_PIXELS):
        if not paths:
            raise SourceError("no image files to read")
        self.paths = paths
        self.name = f"{len(paths)} image(s)"
        self.on_error = on_error
        self.max_pixels = max_pixels
        self._next = 0

    def read(self) -> np.ndarray | None:
        while self._next < len(self.paths):
            path = self.paths[self._next]
            self._next += 1
            try:
                return load_image(path, self.max_pixels)
            except (FileNotFoundError, ValueError) as exc:
                self.on_error(str(exc))
        return None

    def close(self) -> None:
        pass


class VideoFile:
    """Frames from a video file, to its end, each at its own size.

    Decoded with PyAV (imported only here): OpenCV's VideoCapture rescales every frame of a stream
    whose frame size changes to its first frame's size and says nothing, and it takes a path string
    (PyAV reads from an open file, so no file name reaches FFmpeg). A packet that does not decode is
    reported and skipped; a changed frame size is reported once per change.
    """

    def __init__(self, path: Path, on_error: Callable[[str], None] = lambda message: None,
                 max_pixels: int = DEFAULT_MAX_PIXELS) -> None:
        import av  # noqa: PLC0415 (a camera or photos never need FFmpeg's demuxers)

        self._av = av
        self.name = display_name(path)
        self.on_error = on_error
        self.max_pixels = max_pixels
        if not path.is_file():  # a pipe or a device would block here, or never end
            raise SourceError(f"{self.name}: is not a regular file (a pipe or a device), not a video")
        try:
            self._file = open(path, "rb")  # noqa: SIM115 (closed in close())
        except OSError as exc:
            raise SourceError(f"{self.name}: cannot be read ({exc.strerror})") from None
        if os.fstat(self._file.fileno()).st_size == 0:  # FFmpeg says "Invalid argument"
            self.close()
            raise SourceError(f"{self.name}: is empty (0 bytes)")
        try:
            self.container = av.open(self._file)
            stream = next(iter(self.container.streams.video), None)
        except av.error.FFmpegError as exc:
            self.close()
            raise SourceError(f"{self.name}: not a video FFmpeg can open ({exc.strerror or exc})") from None
        if stream is None:
            self.close()
            raise SourceError(f"{self.name}: has no video stream")
        if stream.width * stream.height > max_pixels:  # refused before a frame is decoded
            self.close()
            raise SourceError(f"{self.name}: {stream.width}x{stream.height} frames are over the limit of "
                              f"{max_pixels / 1e6:g} megapixels (--max-pixels)")
        # The recorded frame rate: a window shows the video at this pace.
        rate = stream.average_rate or stream.guessed_rate
        self.fps = float(rate) if rate else None
        self._frames = self._decode(stream)
        self._size: tuple[int, int] | None = None

    def _decode(self, stream):
        av, count = self._av, 0
        try:
            for packet in self.container.demux(stream):
                try:
                    frames = packet.decode()
                except av.error.FFmpegError as exc:
                    self.on_error(f"{self.name}: a packet after frame {count} does not decode "
                                  f"({exc.strerror or exc}); skipped")
                    continue
                for frame in frames:
                    count += 1
                    yield frame
        except av.error.FFmpegError as exc:
            self.on_error(f"{self.name}: the file cannot be read past frame {count} ({exc.strerror or exc})")

    def read(self) -> np.ndarray | None:
        for frame in self._frames:
            size = (frame.width, frame.height)
            if self._size is not None and size != self._size:
                self.on_error(f"{self.name}: the frame size changes from {self._size[0]}x{self._size[1]} "
                              f"to {size[0]}x{size[1]}; each frame is read at its own size")
            self._size = size
            if frame.width * frame.height > self.max_pixels:  # an image renamed .mp4 is one frame
                self.on_error(f"{self.name}: a {frame.width}x{frame.height} frame is over the limit of "
                              f"{self.max_pixels / 1e6:g} megapixels (--max-pixels); skipped")
                continue
            return frame.to_ndarray(format="bgr24")
        return None

    def close(self) -> None:
        for part in (getattr(self, "container", None), getattr(self, "_file", None)):
            if part is not None:
                part.close()


class Camera:
    """A V4L2/USB/laptop camera through cv2.VideoCapture; reopened when it drops out."""

    def __init__(self, index: int, width: int | None = None, height: int | None = None,
                 fps: float | None = None, on_error: Callable[[str], None] = lambda message: None,
                 capture_factory: Callable[[int], cv2.VideoCapture] = cv2.VideoCapture,
                 reopen_delay_s: float = CAMERA_REOPEN_DELAY_S) -> None:
        self.index, self.width, self.height, self.fps = index, width, height, fps
        self.name = f"camera {index}"
        self.on_error = on_error
        self.capture_factory = capture_factory
        self.reopen_delay_s = reopen_delay_s
        self.capture = self._open()
        if self.capture is None:
            raise SourceError(f"camera {index} could not be opened: is it connected, and not in use "
                              "by another program? (on a Pi with a ribbon camera use --source picamera2)")

    def _open(self) -> cv2.VideoCapture | None:
        capture = self.capture_factory(self.index)
        if not capture.isOpened():
            capture.release()
            return None
        for prop, value in ((cv2.CAP_PROP_FRAME_WIDTH, self.width),
                            (cv2.CAP_PROP_FRAME_HEIGHT, self.height), (cv2.CAP_PROP_FPS, self.fps)):
            if value:
                capture.set(prop, value)
        return capture

    def read(self) -> np.ndarray:
        ok, frame = self.capture.read()
        if ok and frame is not None and frame.size:
            return frame
        for attempt in range(1, CAMERA_REOPEN_ATTEMPTS + 1):
            self.on_error(f"{self.name} delivered no frame; reopening ({attempt}/{CAMERA_REOPEN_ATTEMPTS})")
            self.capture.release()
            time.sleep(self.reopen_delay_s)
            capture = self._open()
            if capture is not None:
                self.capture = capture
                ok, frame = capture.read()
                if ok and frame is not None and frame.size:
                    return frame
        raise SourceError(f"{self.name} disconnected and did not come back after "
                          f"{CAMERA_REOPEN_ATTEMPTS} attempts")

    def close(self) -> None:
        self.capture.release()


class PiCamera:
    """A libcamera camera on a Raspberry Pi through picamera2 (imported only when asked for)."""

    def __init__(self, width: int | None, height: int | None, fps: float | None) -> None:
        try:
            from picamera2 import Picamera2
        except ImportError as exc:
            raise SourceError("picamera2 is not installed: `sudo apt install python3-picamera2`, and "
                              "create the virtual environment with --system-site-packages") from exc
        self.name = "picamera2"
        try:
            self.camera = Picamera2()
            controls = {"FrameRate": fps} if fps else {}
            config = self.camera.create_video_configuration(
                main={"size": (width or 640, height or 480), "format": "RGB888"}, controls=controls)
            self.camera.configure(config)
            self.camera.start()
        except Exception as exc:  # libcamera raises RuntimeError/IndexError when no camera is attached
            raise SourceError(f"picamera2 found no usable camera ({exc})") from exc

    def read(self) -> np.ndarray:
        # Picamera2's "RGB888" is laid out B, G, R in memory: OpenCV's order already.
        return self.camera.capture_array("main")

    def close(self) -> None:
        self.camera.stop()
        self.camera.close()


def _expand_images(pattern_or_dir: str) -> list[Path]:
    path = Path(pattern_or_dir)
    if path.is_dir():
        candidates = sorted(path.iterdir())
    else:
        candidates = sorted(Path(p) for p in glob.glob(pattern_or_dir))
    return [p for p in candidates if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES]


def open_source(source: str, width: int | None = None, height: int | None = None,
                fps: float | None = None, on_error: Callable[[str], None] = lambda message: None,
                max_pixels: int = DEFAULT_MAX_PIXELS):
    """Opens SRC: a camera index ('0'), 'picamera2', a video, an image, a folder or a glob.

    Raises:
      SourceError: with what was tried and what to do.
    """
    if source.isdigit():  # also true for '²' and other digits that int() refuses
        if not (source.isascii() and len(source) <= 4):
            raise SourceError(f"{source!r} is not a camera index (0 to {MAX_CAMERA_INDEX})")
        index = int(source)
        if index > MAX_CAMERA_INDEX:
            raise SourceError(f"camera index {index} is out of range (0 to {MAX_CAMERA_INDEX})")
        return Camera(index, width, height, fps, on_error)
    if not source.strip():
        raise SourceError("the source is empty: give a camera index (0), a video, an image, a folder or a glob")
    if source == "picamera2":
        return PiCamera(width, height, fps)
    try:
        return _open_path(Path(source), source, on_error, max_pixels)
    except OSError as exc:  # a folder on the way that this user may not enter, a name too long
        raise SourceError(f"{display_name(source)}: cannot be read ({exc.strerror})") from None


def _open_path(path: Path, source: str, on_error: Callable[[str], None], max_pixels: int):
    # An existing file is the file, even with a glob's characters in its name ("shot[1].jpg").
    if path.is_dir() or (not path.is_file() and any(ch in source for ch in "*?[")):
        images = _expand_images(source)
        if not images:
            raise SourceError(f"{display_name(source)}: no image files ({', '.join(sorted(IMAGE_SUFFIXES))})")
        return ImageFiles(images, on_error, max_pixels)
    if not path.exists():
        raise SourceError(f"{display_name(source)}: no such file or folder, and not a camera index or 'picamera2'")
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageFiles([path], on_error, max_pixels)
    return VideoFile(path, on_error, max_pixels)
