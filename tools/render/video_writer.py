"""Frames to an mp4: H.264 through PyAV when it has libx264, else OpenCV's mp4v; the same frames give the
same bytes."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


class VideoWriter:
    """H.264 through PyAV's libx264 when available (about 4x smaller), else OpenCV's mp4v.

    x264 runs single-threaded with fixed settings on frames built here, so the same frames give
    the same bytes.
    """

    def __init__(self, path: Path, fps: float, width: int, height: int, codec: str = "auto") -> None:
        self.codec = codec
        if codec == "auto":
            self.codec = "h264" if _has_libx264() else "mp4v"
        self.path = path
        if self.codec == "h264":
            from fractions import Fraction

            import av

            self._out = av.open(str(path), "w")
            self._stream = self._out.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
            self._stream.width, self._stream.height, self._stream.pix_fmt = width, height, "yuv420p"
            self._stream.options = {"crf": "23", "preset": "medium", "threads": "1"}
            self._pts = 0
        elif self.codec == "mp4v":
            self._cv = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
            if not self._cv.isOpened():
                raise RuntimeError(f"OpenCV cannot write mp4v video to {path}")
        else:
            raise ValueError(f"codec {codec!r}: expected auto, h264 or mp4v")

    def write(self, bgr: np.ndarray) -> None:
        if self.codec == "h264":
            import av

            # Build the YUV 4:2:0 frame ourselves, with zeroed line padding: PyAV leaves the padding
            # of its planes uninitialised and x264 reads it at the right edge, so re-renders of the
            # same frames differed by a few levels there.
            h, w = bgr.shape[:2]
            yuv = cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420).ravel()
            planes = (
                yuv[: w * h].reshape(h, w),
                yuv[w * h : w * h * 5 // 4].reshape(h // 2, w // 2),
                yuv[w * h * 5 // 4 :].reshape(h // 2, w // 2),
            )
            frame = av.VideoFrame(w, h, "yuv420p")
            for plane, data in zip(frame.planes, planes):
                buf = np.zeros((data.shape[0], plane.line_size), np.uint8)
                buf[:, : data.shape[1]] = data
                plane.update(buf)
            frame.pts = self._pts
            self._pts += 1
            for packet in self._stream.encode(frame):
                self._out.mux(packet)
        else:
            self._cv.write(bgr)

    def close(self) -> None:
        if self.codec == "h264":
            for packet in self._stream.encode():
                self._out.mux(packet)
            self._out.close()
        else:
            self._cv.release()


def _has_libx264() -> bool:
    try:
        import av
    except ImportError:
        return False
    return "libx264" in av.codecs_available
