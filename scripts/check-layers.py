#!/usr/bin/env python3
"""Fails when the app crate's modules depend on each other the wrong way.

Layers, lowest first; a module may use its own layer and the ones below:

  domain          newtypes that parse input (browser and server), and `i18n`,
                  the languages and their texts
  infrastructure  `error` and `server::*`: configuration, state, database,
                  mail, clock, secrets, limits — knows no feature
  ui              components and page contexts every feature may use
  features        `auth`, `legal`, `profile`, `customers`, … — each may use
                  another feature, as long as no circle forms
  shell           `shell` and the crate root (`App`, routes): the frame
                  around the features

Units are the top-level modules, and each `server::` module on its own.
Any circle between units fails too, in whichever layer. Inside every folder
(of the app crate and of the server crate) the sibling modules may not form
a circle either.

A reference is a `crate::a::b` path anywhere in a file (in `use` lines and in
expressions), or a `super::` path that leaves the file's own unit.

Usage: scripts/check-layers.py [APP_SRC]   (default: app/src)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

LAYERS = ["domain", "infrastructure", "ui", "features", "shell"]

# Units not named here are features.
UNIT_LAYER = {
    "domain": "domain",
    "i18n": "domain",
    "error": "infrastructure",
    "routes": "infrastructure",
    "ui": "ui",
    "shell": "shell",
    "<root>": "shell",
}


def module_path(src: Path, file: Path) -> list[str]:
    parts = list(file.relative_to(src).with_suffix("").parts)
    if parts[-1] in ("mod", "lib"):
        parts.pop()
    return parts


def unit_of(path: list[str]) -> str:
    if not path:
        return "<root>"
    if path[0] == "server" and len(path) > 1:
        return f"server::{path[1]}"
    return path[0]


def layer_of(unit: str) -> str:
    if unit.startswith("server"):
        return "infrastructure"
    return UNIT_LAYER.get(unit, "features")


CRATE_PATH = re.compile(r"\bcrate((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
SUPER_PATH = re.compile(r"\b((?:super::)+)([A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*)")
USE_GROUP = re.compile(r"\buse\s+crate::\{([^;]*)\};", re.S)


def strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def references(src: Path, file: Path, modules: set[tuple[str, ...]]):
    """Yields (line, target module path) for every path into the crate."""
    own = module_path(src, file)
    text = strip_comments(file.read_text(encoding="utf-8"))

    def resolve(segments: list[str]) -> list[str]:
        # The longest prefix that is a module; the rest names items in it.
        for end in range(len(segments), -1, -1):
            if tuple(segments[:end]) in modules:
                return segments[:end]
        return []

    def line_of(pos: int) -> int:
        return text.count("\n", 0, pos) + 1

    for match in USE_GROUP.finditer(text):
        for item in re.split(r",(?![^{]*\})", match.group(1)):
            first = item.strip().split("::")[0].strip("{} \n")
            if first:
                yield line_of(match.start()), resolve([first] + [s for s in item.strip().split("::")[1:2] if s.isidentifier()])
    for match in CRATE_PATH.finditer(text):
        yield line_of(match.start()), resolve(match.group(1).strip(":").split("::"))
    for match in SUPER_PATH.finditer(text):
        ups = match.group(1).count("super::")
        # `super` of a mod.rs/lib.rs file is the parent of its directory's module.
        base = own[: max(len(own) - ups, 0)]
        yield line_of(match.start()), resolve(base + match.group(2).split("::"))


def main() -> int:
    src = Path(sys.argv[1] if len(sys.argv) > 1 else "app/src")
    files = sorted(src.rglob("*.rs"))
    modules = {tuple(module_path(src, f)) for f in files}
    edges: dict[tuple[str, str], tuple[Path, int]] = {}
    for file in files:
        from_unit = unit_of(module_path(src, file))
        for line, target in references(src, file, modules):
            to_unit = unit_of(target)
            if not target or to_unit == from_unit or (to_unit == "server" and from_unit.startswith("server")):
                continue
            edges.setdefault((from_unit, to_unit), (file, line))

    if not files:
        print(f"no Rust files under {src}", file=sys.stderr)
        return 2
    problems = []
    for (a, b), (file, line) in sorted(edges.items()):
        if LAYERS.index(layer_of(b)) > LAYERS.index(layer_of(a)):
            problems.append(f"{file}:{line}: {a} ({layer_of(a)}) uses {b} ({layer_of(b)}), a higher layer")

    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    for cycle in find_cycles(graph):
        steps = " -> ".join(cycle + [cycle[0]])
        where = "; ".join(f"{edges[(x, y)][0]}:{edges[(x, y)][1]}" for x, y in zip(cycle, cycle[1:] + [cycle[0]]))
        problems.append(f"import circle: {steps}  ({where})")

    # Inside every folder too: sibling modules (`auth::ssr::guard` and
    # `auth::ssr::session`, `cli` and `cli_db` of the server crate) use each
    # other one way only. The app crate's top level is checked above.
    for crate_src, top_level_done in ((src, True), (src.parent.parent / "server" / "src", False)):
        crate_files = sorted(crate_src.rglob("*.rs")) if crate_src.is_dir() else []
        crate_modules = {tuple(module_path(crate_src, f)) for f in crate_files}
        for scope, cycle, where in sibling_cycles(crate_src, crate_files, crate_modules, top_level_done):
            name = "::".join(scope) or crate_src.parent.name
            steps = " -> ".join(cycle + [cycle[0]])
            problems.append(f"import circle inside {name}: {steps}  ({where})")

    if problems:
        print("Module layering broken:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    units = sorted({u for edge in edges for u in edge})
    print(f"   {len(units)} units, {len(edges)} dependencies, no circle, every one points down or sideways;"
          " no circle among the modules of any folder")
    return 0


def sibling_cycles(src: Path, files: list[Path], modules: set[tuple[str, ...]], top_level_done: bool):
    """Yields (folder, cycle, where) for every circle among the modules of one folder."""
    edges: dict[tuple[tuple[str, ...], str, str], tuple[Path, int]] = {}
    for file in files:
        own = module_path(src, file)
        for line, target in references(src, file, modules):
            shared = 0
            while shared < min(len(own), len(target)) and own[shared] == target[shared]:
                shared += 1
            if shared >= len(own) or shared >= len(target):
                continue  # a module and its own parent or child
            scope = tuple(own[:shared])
            if top_level_done and (shared == 0 or scope == ("server",)):
                continue
            edges.setdefault((scope, own[shared], target[shared]), (file, line))
    by_scope: dict[tuple[str, ...], dict[str, set[str]]] = {}
    for scope, a, b in edges:
        by_scope.setdefault(scope, {}).setdefault(a, set()).add(b)
    for scope, graph in sorted(by_scope.items()):
        for cycle in find_cycles(graph):
            pairs = zip(cycle, cycle[1:] + [cycle[0]])
            where = "; ".join(f"{edges[(scope, x, y)][0]}:{edges[(scope, x, y)][1]}" for x, y in pairs)
            yield scope, cycle, where


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component with more than one unit."""
    index, low, on_stack, stack, order = {}, {}, set(), [], [0]
    components = []

    def visit(node: str) -> None:
        index[node] = low[node] = order[0]
        order[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)

    cycles = []
    for component in components:
        members = set(component)
        start = sorted(component)[0]
        # Shortest way back to the start inside the component (breadth first).
        previous = {start: None}
        queue = [start]
        found = None
        while queue and not found:
            node = queue.pop(0)
            for nxt in sorted(graph.get(node, ())):
                if nxt == start:
                    found = node
                    break
                if nxt in members and nxt not in previous:
                    previous[nxt] = node
                    queue.append(nxt)
        path = []
        node = found
        while node is not None:
            path.append(node)
            node = previous[node]
        cycles.append(list(reversed(path)))
    return cycles


if __name__ == "__main__":
    sys.exit(main())
