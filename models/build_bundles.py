"""Rebuild the PoseLandmarker bundles in models/ from registry packages, reproducibly.

    python -m models.build_bundles lite full          # the two bundles the project ships
    python -m models.build_bundles heavy              # the heavy one, on demand (about 30 MB)

Where the networks come from (all BlazePose GHUM 3D, Apache-2.0):
- the person detector ``pose_detection.tflite`` from the PyPI wheel ``mediapipe==0.10.14``;
- the landmark networks ``pose_landmark_{lite,full,heavy}.tflite`` from the npm package
  ``@mediapipe/pose@0.5.1675469404``.

The raw networks carry no TFLite metadata, which the Tasks API needs to know how to normalise the
image; this script writes that metadata (image input: detector mean 127.5 / std 127.5, landmarks
mean 0 / std 255; one feature output per network output) and packs the two networks into a
``.task`` file: an uncompressed zip with 4-byte aligned entries, as MediaPipe maps it in place.
Needs ``flatbuffers`` (the ``models`` extra), ``pip`` and ``npm`` on the path.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

from models import download_env

MODELS_DIR = Path(__file__).resolve().parent
VARIANTS = ("lite", "full", "heavy")
MEDIAPIPE_WHEEL = "mediapipe==0.10.14"
NPM_POSE = "@mediapipe/pose@0.5.1675469404"
DETECTOR_IN_WHEEL = "mediapipe/modules/pose_detection/pose_detection.tflite"
# Entry names the PoseLandmarker graph looks for inside the bundle.
DETECTOR_ENTRY = "pose_detector.tflite"
LANDMARKS_ENTRY = "pose_landmarks_detector.tflite"
# zip entries get a fixed date so the same inputs give the same bytes.
_ZIP_DATE = (2024, 1, 1, 0, 0, 0)


def _fetch_detector(workdir: Path) -> bytes:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--quiet",
            "--only-binary=:all:",
            "--python-version",
            "3.11",
            "--platform",
            "manylinux2014_x86_64",
            "-d",
            str(workdir),
            MEDIAPIPE_WHEEL,
        ],
        check=True,
        env=download_env(),
    )
    wheel = next(workdir.glob("mediapipe-0.10.14-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        return zf.read(DETECTOR_IN_WHEEL)


def _fetch_landmark_networks(workdir: Path) -> dict[str, bytes]:
    subprocess.run(
        ["npm", "pack", "--silent", NPM_POSE], cwd=workdir, check=True, stdout=subprocess.DEVNULL, env=download_env()
    )
    tgz = next(workdir.glob("mediapipe-pose-*.tgz"))
    networks = {}
    with tarfile.open(tgz) as tf:
        for variant in VARIANTS:
            member = tf.extractfile(f"package/pose_landmark_{variant}.tflite")
            assert member is not None
            networks[variant] = member.read()
    return networks


def _tensor_names(model, indices) -> list[str]:
    graph = model.Subgraphs(0)
    return [graph.Tensors(i).Name().decode() for i in indices]


def add_image_metadata(tflite: bytes, name: str, mean: float, std: float) -> bytes:
    """Return the network with TFLite metadata for one RGB image input and feature outputs."""
    import flatbuffers
    from mediapipe.tasks.metadata import metadata_schema_py_generated as md
    from mediapipe.tasks.metadata import schema_py_generated as schema

    model = schema.Model.GetRootAsModel(tflite, 0)
    graph = model.Subgraphs(0)
    if graph.InputsLength() != 1:
        raise ValueError(f"{name}: expected one image input, found {graph.InputsLength()}")
    input_name = _tensor_names(model, [graph.Inputs(0)])[0]
    output_names = _tensor_names(model, [graph.Outputs(i) for i in range(graph.OutputsLength())])

    image = md.TensorMetadataT()
    image.name = input_name
    image.content = md.ContentT()
    image.content.contentPropertiesType = md.ContentProperties.ImageProperties
    image.content.contentProperties = md.ImagePropertiesT()
    image.content.contentProperties.colorSpace = md.ColorSpaceType.RGB
    norm = md.ProcessUnitT()
    norm.optionsType = md.ProcessUnitOptions.NormalizationOptions
    norm.options = md.NormalizationOptionsT()
    norm.options.mean, norm.options.std = [mean], [std]
    image.processUnits = [norm]
    image.stats = md.StatsT()
    image.stats.min, image.stats.max = [(0.0 - mean) / std], [(255.0 - mean) / std]

    outputs = []
    for out_name in output_names:
        tensor = md.TensorMetadataT()
        tensor.name = out_name
        tensor.content = md.ContentT()
        tensor.content.contentPropertiesType = md.ContentProperties.FeatureProperties
        tensor.content.contentProperties = md.FeaturePropertiesT()
        outputs.append(tensor)

    subgraph = md.SubGraphMetadataT()
    subgraph.inputTensorMetadata = [image]
    subgraph.outputTensorMetadata = outputs
    meta = md.ModelMetadataT()
    meta.name = name
    meta.description = "BlazePose GHUM 3D (Apache-2.0), metadata written by HipCoach's models/build_bundles.py"
    meta.version = "1"
    meta.license = "Apache-2.0"
    meta.subgraphMetadata = [subgraph]
    meta.minParserVersion = "1.0.0"
    builder = flatbuffers.Builder(0)
    builder.Finish(meta.Pack(builder), b"M001")
    metadata_buf = builder.Output()

    # Rewrite the model with the metadata as an extra buffer named TFLITE_METADATA.
    model_t = schema.ModelT.InitFromObj(model)
    buffer = schema.BufferT()
    buffer.data = metadata_buf
    model_t.buffers = list(model_t.buffers or []) + [buffer]
    entry = schema.MetadataT()
    entry.name = "TFLITE_METADATA"
    entry.buffer = len(model_t.buffers) - 1
    model_t.metadata = [m for m in (model_t.metadata or []) if m.name != b"TFLITE_METADATA"] + [entry]
    builder = flatbuffers.Builder(len(tflite) + len(metadata_buf) + 1024)
    builder.Finish(model_t.Pack(builder), b"TFL3")
    return bytes(builder.Output())


def pack_task(entries: dict[str, bytes]) -> bytes:
    """An uncompressed zip whose entry data start on 4-byte boundaries."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            # Data follow a 30-byte local header, the name and the extra field: pad with a
            # well-formed extra record (id 0xD935, as zipalign uses) to reach a 4-byte boundary.
            header_end = out.tell() + 30 + len(name.encode()) + 4
            pad = (-header_end) % 4
            info.extra = struct.pack("<HH", 0xD935, pad) + b"\x00" * pad
            zf.writestr(info, data)
    return out.getvalue()


def build(variants: list[str], out_dir: Path = MODELS_DIR) -> list[Path]:
    """Fetch, annotate and pack the named variants into ``out_dir``; return the files written."""
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        raise ValueError(f"unknown model variant(s) {unknown}; expected some of {list(VARIANTS)}")
    written = []
    with tempfile.TemporaryDirectory(prefix="hipcoach-models-") as tmp:
        workdir = Path(tmp)
        detector = add_image_metadata(_fetch_detector(workdir), "pose_detector", 127.5, 127.5)
        networks = _fetch_landmark_networks(workdir)
        for variant in variants:
            landmarks = add_image_metadata(networks[variant], f"pose_landmarks_detector_{variant}", 0.0, 255.0)
            path = out_dir / f"pose_landmarker_{variant}.task"
            path.write_bytes(pack_task({DETECTOR_ENTRY: detector, LANDMARKS_ENTRY: landmarks}))
            written.append(path)
            print(
                f"{path.name}  {path.stat().st_size / 1e6:.1f} MB"
                f"  sha256 {hashlib.sha256(path.read_bytes()).hexdigest()}"
            )
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="*", help=f"any of {', '.join(VARIANTS)} (default: lite full)")
    parser.add_argument("--out-dir", type=Path, default=MODELS_DIR)
    args = parser.parse_args(argv)
    build(args.variants or ["lite", "full"], args.out_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
