"""Headless OpenGL rendering of the posed figure in a room (moderngl on EGL).

Mesa's software rasteriser (llvmpipe) renders through EGL without a display or a GPU, so this
runs in CI. A scene is a floor, a wall behind the person (facing the camera), a sun with a shadow
map and a soft sky fill. The image is rendered at ``supersample`` times the size and averaged down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import moderngl
import numpy as np

_VS = """
#version 330
uniform mat4 mvp;
uniform mat4 light_mvp;
in vec3 in_pos;
in vec3 in_normal;
in vec3 in_color;
out vec3 v_normal;
out vec3 v_color;
out vec4 v_light;
out vec3 v_pos;
void main() {
    gl_Position = mvp * vec4(in_pos, 1.0);
    v_light = light_mvp * vec4(in_pos, 1.0);
    v_normal = in_normal;
    v_color = in_color;
    v_pos = in_pos;
}
"""
_FS = """
#version 330
uniform sampler2D shadow_map;
uniform vec3 sun_dir;
uniform vec3 sun_color;
uniform vec3 sky_color;
uniform vec3 eye;
in vec3 v_normal;
in vec3 v_color;
in vec4 v_light;
in vec3 v_pos;
out vec4 f_color;
void main() {
    vec3 n = normalize(v_normal);
    if (dot(n, eye - v_pos) < 0.0) n = -n;
    vec3 p = v_light.xyz / v_light.w * 0.5 + 0.5;
    float lit = 0.0;
    bool inside = all(greaterThan(p.xy, vec2(0.0))) && all(lessThan(p.xy, vec2(1.0)));
    vec2 texel = 1.0 / vec2(textureSize(shadow_map, 0));
    for (int dx = -1; dx <= 1; ++dx)
        for (int dy = -1; dy <= 1; ++dy) {
            float d = texture(shadow_map, p.xy + vec2(dx, dy) * texel).r;
            lit += (p.z - 0.002 <= d) ? 1.0 : 0.0;
        }
    lit = inside ? lit / 9.0 : 1.0;
    float diffuse = max(dot(n, sun_dir), 0.0) * lit;
    float hemi = 0.55 + 0.45 * n.y;
    vec3 c = v_color * (sun_color * diffuse + sky_color * hemi);
    f_color = vec4(pow(c, vec3(1.0 / 2.2)), 1.0);
}
"""
_SHADOW_VS = """
#version 330
uniform mat4 light_mvp;
in vec3 in_pos;
void main() { gl_Position = light_mvp * vec4(in_pos, 1.0); }
"""
_SHADOW_FS = """
#version 330
void main() {}
"""


def look_at(eye: np.ndarray, target: np.ndarray, up=(0.0, 1.0, 0.0)) -> np.ndarray:
    f = target - eye
    f = f / np.linalg.norm(f)
    s = np.cross(f, up)
    s /= np.linalg.norm(s)
    u = np.cross(s, f)
    m = np.eye(4)
    m[0, :3], m[1, :3], m[2, :3] = s, u, -f
    m[:3, 3] = -m[:3, :3] @ eye
    return m


def perspective(fov_y_deg: float, aspect: float, near: float, far: float) -> np.ndarray:
    f = 1.0 / math.tan(math.radians(fov_y_deg) / 2)
    m = np.zeros((4, 4))
    m[0, 0], m[1, 1] = f / aspect, f
    m[2, 2], m[2, 3] = (far + near) / (near - far), 2 * far * near / (near - far)
    m[3, 2] = -1
    return m


def ortho(half: float, near: float, far: float) -> np.ndarray:
    m = np.eye(4)
    m[0, 0] = m[1, 1] = 1 / half
    m[2, 2], m[2, 3] = -2 / (far - near), -(far + near) / (far - near)
    return m


@dataclass(frozen=True)
class Camera:
    """A pinhole camera; :meth:`project` gives pixel coordinates (x right, y down)."""

    eye: np.ndarray
    target: np.ndarray
    fov_y_deg: float
    width: int
    height: int

    @property
    def view_proj(self) -> np.ndarray:
        return perspective(self.fov_y_deg, self.width / self.height, 0.1, 30.0) @ look_at(self.eye, self.target)

    def project(self, points: np.ndarray) -> np.ndarray:
        """(N, 3) world points -> (N, 2) pixels; and depth is dropped."""
        p = np.c_[points, np.ones(len(points))] @ self.view_proj.T
        ndc = p[:, :2] / p[:, 3:4]
        return np.c_[(ndc[:, 0] + 1) * 0.5 * self.width, (1 - ndc[:, 1]) * 0.5 * self.height]


@dataclass(frozen=True)
class Scene:
    floor_rgb: tuple[float, float, float] = (0.55, 0.45, 0.35)
    wall_rgb: tuple[float, float, float] = (0.85, 0.85, 0.80)
    sun_dir: tuple[float, float, float] = (0.4, 0.85, 0.35)  # towards the sun
    sun_strength: float = 0.75
    sky_strength: float = 0.45
    wall_distance_m: float = 1.6  # behind the figure, seen from the camera


def vertex_normals(verts: np.ndarray, tris: np.ndarray) -> np.ndarray:
    fn = np.cross(verts[tris[:, 1]] - verts[tris[:, 0]], verts[tris[:, 2]] - verts[tris[:, 0]])
    n = np.zeros_like(verts)
    for k in range(3):
        for c in range(3):
            n[:, c] += np.bincount(tris[:, k], weights=fn[:, c], minlength=len(verts))
    return n / (np.linalg.norm(n, axis=1, keepdims=True) + 1e-12)


class Renderer:
    """Owns the GL context; :meth:`render` draws one frame and returns a BGR ``uint8`` image."""

    def __init__(
        self, width: int, height: int, triangles: np.ndarray, supersample: int = 2, shadow_size: int = 1024
    ) -> None:
        try:
            self.ctx = moderngl.create_standalone_context(backend="egl")
        except Exception as exc:  # moderngl raises plain Exception when EGL is missing
            raise RuntimeError(
                "cannot create a headless EGL OpenGL context; install the Debian packages "
                "libegl1 and libgl1-mesa-dri (Mesa llvmpipe)"
            ) from exc
        self.width, self.height, self.ss = width, height, supersample
        self.prog = self.ctx.program(vertex_shader=_VS, fragment_shader=_FS)
        self.shadow_prog = self.ctx.program(vertex_shader=_SHADOW_VS, fragment_shader=_SHADOW_FS)
        self.fbo = self.ctx.simple_framebuffer((width * supersample, height * supersample), components=3)
        self.shadow_tex = self.ctx.depth_texture((shadow_size, shadow_size))
        self.shadow_tex.compare_func = ""
        self.shadow_tex.filter = (moderngl.NEAREST, moderngl.NEAREST)
        self.shadow_fbo = self.ctx.framebuffer(depth_attachment=self.shadow_tex)
        self.tris = triangles.astype(np.int32)
        self.ibo = self.ctx.buffer(self.tris.tobytes())
        self.vbo = None

    def release(self) -> None:
        self.ctx.release()

    def render(self, verts: np.ndarray, colors: np.ndarray, camera: Camera, scene: Scene) -> np.ndarray:
        normals = vertex_normals(verts, self.tris)
        # The room and the sun's shadow frustum are fixed to the camera's target, not to the figure:
        # a room that followed the figure would shift by float noise from frame to frame.
        centre = np.asarray(camera.target, float)
        room = self._room(centre, camera, scene)
        data = np.c_[verts, normals, colors].astype("f4")
        n_fig = len(verts)
        data = np.concatenate([data, room[0]])
        tris = np.concatenate([self.tris, room[1] + n_fig]).astype("i4")
        vbo = self.ctx.buffer(data.tobytes())
        ibo = self.ctx.buffer(tris.tobytes())
        vao = self.ctx.vertex_array(self.prog, [(vbo, "3f 3f 3f", "in_pos", "in_normal", "in_color")], ibo)
        svao = self.ctx.vertex_array(self.shadow_prog, [(vbo, "3f 12x 12x", "in_pos")], ibo)

        sun = np.asarray(scene.sun_dir, float)
        sun /= np.linalg.norm(sun)
        light_mvp = ortho(2.5, 0.1, 12.0) @ look_at(
            centre + sun * 5.0, centre, up=(0, 0, 1) if abs(sun[1]) > 0.99 else (0, 1, 0)
        )
        self.shadow_fbo.use()
        self.shadow_fbo.clear(depth=1.0)
        self.ctx.enable(moderngl.DEPTH_TEST)
        self.shadow_prog["light_mvp"].write(light_mvp.T.astype("f4").tobytes())
        svao.render(vertices=len(self.tris) * 3)  # only the figure casts shadows: no acne on the room

        self.fbo.use()
        self.fbo.clear(0.5, 0.5, 0.5, depth=1.0)
        self.shadow_tex.use(0)
        self.prog["shadow_map"] = 0
        self.prog["mvp"].write(camera.view_proj.T.astype("f4").tobytes())
        self.prog["light_mvp"].write(light_mvp.T.astype("f4").tobytes())
        self.prog["sun_dir"] = tuple(sun)
        self.prog["sun_color"] = (scene.sun_strength,) * 3
        self.prog["sky_color"] = (scene.sky_strength,) * 3
        self.prog["eye"] = tuple(camera.eye)
        vao.render()
        raw = self.fbo.read(components=3)
        for obj in (vao, svao, vbo, ibo):
            obj.release()
        img = np.frombuffer(raw, np.uint8).reshape(self.height * self.ss, self.width * self.ss, 3)[::-1]
        if self.ss > 1:
            img = cv2.resize(img, (self.width, self.height), interpolation=cv2.INTER_AREA)
        return np.ascontiguousarray(img[:, :, ::-1])

    def render_mask(self, verts: np.ndarray, camera: Camera) -> np.ndarray:
        """The figure's silhouette alone, as a ``bool`` image at the output size (for tests)."""
        white = np.ones((len(verts), 3), "f4")
        data = np.c_[verts, np.zeros_like(verts) + [0, 1, 0], white].astype("f4")
        vbo = self.ctx.buffer(data.tobytes())
        vao = self.ctx.vertex_array(self.prog, [(vbo, "3f 3f 3f", "in_pos", "in_normal", "in_color")], self.ibo)
        self.fbo.use()
        self.fbo.clear(0.0, 0.0, 0.0, depth=1.0)
        self.ctx.enable(moderngl.DEPTH_TEST)
        self.prog["mvp"].write(camera.view_proj.T.astype("f4").tobytes())
        self.prog["light_mvp"].write(np.eye(4, dtype="f4").tobytes())
        self.prog["sun_color"] = (0.0, 0.0, 0.0)
        self.prog["sky_color"] = (1.0, 1.0, 1.0)
        vao.render()
        raw = self.fbo.read(components=3)
        vao.release()
        vbo.release()
        img = np.frombuffer(raw, np.uint8).reshape(self.height * self.ss, self.width * self.ss, 3)[::-1, :, 0]
        if self.ss > 1:
            img = cv2.resize(img, (self.width, self.height), interpolation=cv2.INTER_AREA)
        return img > 0

    @staticmethod
    def _room(centre: np.ndarray, camera: Camera, scene: Scene) -> tuple[np.ndarray, np.ndarray]:
        """Floor and wall quads (with normals and colours), the wall behind the figure."""
        view = camera.target - camera.eye
        view[1] = 0
        view /= np.linalg.norm(view) + 1e-9
        side = np.array([-view[2], 0, view[0]])
        w = centre + view * scene.wall_distance_m
        w[1] = 0
        big = 12.0
        floor = [centre + [-big, 0, -big], centre + [big, 0, -big], centre + [big, 0, big], centre + [-big, 0, big]]
        for p in floor:
            p[1] = 0
        wall = [w - side * big, w + side * big, w + side * big + [0, 6, 0], w - side * big + [0, 6, 0]]
        rows = []
        for quad, normal, rgb in ((floor, (0, 1, 0), scene.floor_rgb), (wall, -view, scene.wall_rgb)):
            for p in quad:
                rows.append([*p, *normal, *rgb])
        tris = np.array([[0, 1, 2], [0, 2, 3], [4, 5, 6], [4, 6, 7]])
        return np.asarray(rows, "f4"), tris
