"""What the plugin does to a Krita document, with the HTTP exchange left to the caller.

    prepared = prepare(doc, "the sky is blue", settings, codec)   # reads pixels, changes nothing
    ... POST prepared.body to /v1/colorize (async in the docker, blocking in tests) ...
    report = apply_result(doc, prepared, api.parse_colorize(status, body), settings, codec)

`prepare` never modifies the document; `apply_result` only adds layers (a "Colorization" group and one
paint layer per result), removes the plugin's own earlier layer of a re-coloured target, and when it
must, converts a grayscale image to RGB (colours cannot show otherwise), sets opaque line art to
Multiply (colours under white paper cannot show otherwise) or moves a bottom-most line-art layer up one
place (Krita's API cannot insert under the bottom layer). Each of those is reported in plain words.
"""

from . import api, pixels, tree
from . import settings as settings_mod
from . import state as state_mod
from .state import uid_of

GROUP_NAME = "Colorization"
SRGB = "sRGB-elle-V2-srgbtrc.icc"
PIXEL_LAYERS = ("paintlayer", "grouplayer", "vectorlayer", "filelayer", "clonelayer", "filllayer")
OPAQUE_SHARE = 0.5  # a line-art layer this opaque hides whatever is under it (lines drawn on white)


class UserError(Exception):
    """A problem the artist can fix, in plain words."""

    def __init__(self, message):
        Exception.__init__(self, message)
        self.message = message


class Prepared(object):
    """One request, ready to send: the body plus what is needed to apply its answer later."""

    def __init__(self, **kwargs):
        self.doc = kwargs["doc"]
        self.instruction = kwargs["instruction"]
        self.line_uid = kwargs["line_uid"]
        self.line_name = kwargs["line_name"]
        self.width = kwargs["width"]
        self.height = kwargs["height"]
        self.session_id = kwargs.get("session_id")
        self.image_png = kwargs["image_png"]
        self.mask_png = kwargs.get("mask_png")
        self.opaque = kwargs.get("opaque", False)
        self.convert_gray = kwargs.get("convert_gray", False)
        self.notes = list(kwargs.get("notes") or [])

    @property
    def body(self):
        return api.colorize_body(self.image_png, self.instruction, self.mask_png, self.session_id)


class Report(object):
    """What happened, for the status line and the history list."""

    def __init__(self):
        self.created = []    # {"key", "uid", "name", "kind"}
        self.replaced = []   # {"key", "uid", "name"}
        self.removed = []
        self.notes = []
        self.message = ""

    def summary(self):
        parts = []
        if self.message:
            parts.append(self.message)
        elif self.created:
            parts.append("Added " + ", ".join("'%s'" % c["name"] for c in self.created) + ".")
        if self.replaced:
            parts.append("Replaced " + ", ".join("'%s'" % r["name"] for r in self.replaced) + ".")
        parts.extend(self.notes)
        return " ".join(parts)


# --- documents -------------------------------------------------------------------------------------

def is_open(doc):
    """False once Krita closed the document (its wrapper then answers None / 0)."""
    try:
        return doc is not None and doc.rootNode() is not None and doc.width() > 0
    except Exception:  # a wrapper whose document is gone
        return False


def _color_space_name(model, depth):
    models = {"RGBA": "RGB", "GRAYA": "Grayscale", "CMYKA": "CMYK", "LABA": "L*a*b*", "XYZA": "XYZ",
              "YCbCrA": "YCbCr"}
    depths = {"U8": "8-bit", "U16": "16-bit", "F16": "16-bit float", "F32": "32-bit float"}
    return "%s %s" % (models.get(model, model), depths.get(depth, depth))


def _is_linear(profile):
    profile = (profile or "").lower()
    return "g10" in profile or "linear" in profile


def owned_uids(state):
    """Unique ids of the plugin's groups and layers in this document."""
    uids = set()
    for target in state.targets.values():
        if target.group:
            uids.add(target.group)
        for info in target.layers.values():
            uids.add(info.get("uid"))
    return uids


def choose_line_art(doc, state, node=None):
    """The layer to send: the given/active one; if that is a colorization result, its line art."""
    root = doc.rootNode()
    node = node if node is not None else doc.activeNode()
    if node is None:
        raise UserError("Select your line-art layer in the Layers docker first.")
    if node.type() not in PIXEL_LAYERS:  # a mask: use the layer it belongs to
        parent = node.parentNode()
        if parent is not None and parent.parentNode() is not None:
            node = parent
    owned = owned_uids(state)
    here = uid_of(node)
    if here in owned or owned.intersection(tree.ancestors_uids(node)):
        for line_uid, target in state.targets.items():
            layer_uids = [info.get("uid") for info in target.layers.values()]
            if here == target.group or here in layer_uids or target.group in tree.ancestors_uids(node):
                line = tree.find(root, line_uid)
                if line is not None:
                    return line
        raise UserError("The active layer is a colorization result; select your line-art layer.")
    if node.type() not in PIXEL_LAYERS:
        raise UserError("The active layer '%s' is a %s; select your line-art layer."
                        % (node.name(), node.type()))
    return node


def read_pixels_bgra(doc, node):
    """The node over the document's full rect as 8-bit BGRA, converting other colour spaces.

    Returns (bgra, note) where note says a conversion happened (or "").
    """
    width, height = doc.width(), doc.height()
    model, depth, profile = node.colorModel(), node.colorDepth(), node.colorProfile()
    read = node.pixelData if node.type() == "paintlayer" else node.projectionPixelData
    if (model, depth) == pixels.RGBA_U8:
        return bytes(read(0, 0, width, height)), ""
    if (model, depth) == pixels.GRAYA_U8 and not _is_linear(profile):
        return pixels.graya_to_bgra(read(0, 0, width, height)), ""
    # Anything else: let Krita convert a throw-away copy of the document.
    path = tree.path_of(node)
    copy = doc.clone()
    if copy is None:
        raise UserError("This document is %s; convert it to RGB 8-bit (Image > Convert Image Color Space) "
                        "and try again." % _color_space_name(model, depth))
    try:
        copy.setColorSpace("RGBA", "U8", SRGB)
        copy.waitForDone()
        twin = tree.at_path(copy.rootNode(), path)
        if twin is None or (twin.colorModel(), twin.colorDepth()) != pixels.RGBA_U8:
            raise UserError("Could not read the %s layer '%s' as RGB; convert the image to RGB 8-bit "
                            "(Image > Convert Image Color Space) and try again."
                            % (_color_space_name(model, depth), node.name()))
        read = twin.pixelData if twin.type() == "paintlayer" else twin.projectionPixelData
        data = bytes(read(0, 0, width, height))
    finally:
        copy.close()
    return data, "Sent an RGB 8-bit copy of the %s layer." % _color_space_name(model, depth)


def prepare(doc, instruction, settings, codec, node=None):
    """Everything for one /v1/colorize request. Raises UserError; modifies nothing."""
    if doc is None or not is_open(doc):
        raise UserError("Open a document with line art first.")
    instruction = " ".join((instruction or "").split())
    if not instruction:
        raise UserError("Type what to colour, e.g. 'the car is red with black windows'.")
    state = state_mod.load(doc)
    line = choose_line_art(doc, state, node)
    width, height = doc.width(), doc.height()
    doc_model, doc_depth = doc.colorModel(), doc.colorDepth()
    convert_gray = False
    if doc_model == "GRAYA":
        if not settings.convert_gray:
            raise UserError("This document is %s, so colours would show as grey. Convert it to RGB "
                            "(Image > Convert Image Color Space), or tick 'Convert grayscale documents to "
                            "RGB' in the settings." % _color_space_name(doc_model, doc_depth))
        convert_gray = True
    bgra, note = read_pixels_bgra(doc, line)
    if len(bgra) != width * height * 4:
        raise UserError("Could not read the layer '%s' (got %d bytes)." % (line.name(), len(bgra)))
    if pixels.is_blank(bgra) or pixels.is_uniform(bgra):
        raise UserError("The layer '%s' is empty; select the layer with your line art." % line.name())
    mask_png = None
    selection = doc.selection()
    if selection is not None:
        mask = pixels.mask_from_selection(selection.pixelData(0, 0, width, height))
        if mask is not None:
            mask_png = codec.encode_gray(mask, width, height)
    target = state.targets.get(uid_of(line))
    return Prepared(
        doc=doc,
        instruction=instruction,
        line_uid=uid_of(line),
        line_name=line.name(),
        width=width,
        height=height,
        session_id=target.session_id if target else None,
        image_png=codec.encode_bgra(bgra, width, height),
        mask_png=mask_png,
        opaque=pixels.opaque_share(bgra) >= OPAQUE_SHARE,
        convert_gray=convert_gray,
        notes=[note] if note else [],
    )


# --- applying answers ------------------------------------------------------------------------------

def _decode_layers(codec, layers, width, height):
    """[(LayerResult, (x, y, w, h), BGRA)] clipped to the canvas; raises before anything changes."""
    out = []
    for layer in layers:
        x, y, w, h = layer.bbox
        if w <= 0 or h <= 0:
            continue
        try:
            pw, ph, bgra = codec.decode_png(layer.png)
        except Exception as exc:
            raise api.BackendError(api.PROTOCOL, "The backend sent an unreadable image for '%s' (%s)."
                                   % (layer.name, exc)) from exc
        if (pw, ph) != (w, h):
            raise api.BackendError(api.PROTOCOL, "The backend sent a %dx%d image for '%s', whose box is "
                                   "%dx%d." % (pw, ph, layer.name, w, h))
        clipped = pixels.clip_to_canvas(layer.bbox, width, height)
        if clipped is None:
            continue
        (cx, cy, cw, ch), (ox, oy) = clipped
        out.append((layer, (cx, cy, cw, ch), pixels.crop(bgra, w, h, 4, ox, oy, cw, ch)))
    return out


def _check_still_valid(doc, width, height, line_uid, line_name):
    if not is_open(doc):
        raise UserError("The document was closed before the backend answered; nothing was changed.")
    if (doc.width(), doc.height()) != (width, height):
        raise UserError("The image was resized while the backend worked; nothing was changed. Try again.")
    line = tree.find(doc.rootNode(), line_uid)
    if line is None:
        raise UserError("The layer '%s' was removed while the backend worked; nothing was changed."
                        % line_name)
    return line


def _is_direct(doc):
    return (doc.colorModel(), doc.colorDepth()) == pixels.RGBA_U8


def _new_layer(doc, name, box, bgra, direct):
    node = doc.createNode(name, "paintlayer")
    if direct:  # pixels first: the "add layer" undo step then carries them
        node.setPixelData(bgra, box[0], box[1], box[2], box[3])
    return node


def _finish_layer(node, box, bgra, direct):
    if not direct:  # other colour spaces: make the new layer RGB 8-bit, then write
        node.setColorSpace("RGBA", "U8", SRGB)
        node.setPixelData(bgra, box[0], box[1], box[2], box[3])


def ensure_group(doc, target, line, placement, report):
    """The target's Colorization group, created next to the line art if missing."""
    group = tree.find(doc.rootNode(), target.group) if target.group else None
    if group is not None and group.type() == "grouplayer":
        return group
    group = doc.createGroupLayer(GROUP_NAME)
    parent = line.parentNode()
    if placement == settings_mod.PLACE_ABOVE:
        parent.addChildNode(group, line)
        group.setBlendingMode("multiply")
    elif tree.insert_below(parent, group, line):
        report.notes.append("Moved '%s' up one place so the colours can go under it." % line.name())
    target.group = uid_of(group)
    # Drop keys whose layers went with an earlier group: they are not in the document any more.
    target.layers = {}
    return group


def _place(group, node, is_background, target):
    if not is_background:
        group.addChildNode(node, None)
        return
    backgrounds = [info["uid"] for info in target.layers.values() if info.get("kind") == "background"]
    top_background = None
    for child in tree.children(group):
        if uid_of(child) in backgrounds:
            top_background = child
    if top_background is not None:
        group.addChildNode(node, top_background)
    else:
        tree.insert_bottom(group, node)


def _add_layers(doc, target, group, decoded, report):
    """Create one layer per result, replacing the target's earlier layer of the same key."""
    root = doc.rootNode()
    direct = _is_direct(doc)
    for layer, box, bgra in decoded:
        node = _new_layer(doc, layer.name, box, bgra, direct)
        old_info = target.layers.get(layer.key)
        old = tree.find(root, old_info.get("uid")) if old_info else None
        if old is not None and old.parentNode() is not None:
            old.parentNode().addChildNode(node, old)  # same place in the stack as the layer it replaces
            old.remove()
            report.replaced.append({"key": layer.key, "uid": old_info.get("uid"),
                                    "name": old_info.get("name")})
        else:
            _place(group, node, layer.is_background, target)
        _finish_layer(node, box, bgra, direct)
        info = {"key": layer.key, "uid": uid_of(node), "name": layer.name, "kind": layer.kind}
        target.layers[layer.key] = {"uid": info["uid"], "name": layer.name, "kind": layer.kind}
        report.created.append(info)
    if not direct:
        doc.refreshProjection()


def _remove_keys(doc, target, keys, report, exclude=()):
    root = doc.rootNode()
    for key in keys:
        if key in exclude:
            continue
        info = target.layers.pop(key, None)
        node = tree.find(root, info.get("uid")) if info else None
        if node is not None:
            node.remove()
            report.removed.append({"key": key, "uid": info.get("uid"), "name": info.get("name")})


def _restore_active(doc, active_uid):
    node = tree.find(doc.rootNode(), active_uid) if active_uid else None
    if node is not None:
        doc.setActiveNode(node)


def apply_result(doc, prepared, result, settings, codec):
    """Turn a ColorizeResult into layers. Raises UserError/BackendError before changing anything."""
    line = _check_still_valid(doc, prepared.width, prepared.height, prepared.line_uid, prepared.line_name)
    if result.width and result.height and (result.width, result.height) != (prepared.width, prepared.height):
        raise api.BackendError(api.PROTOCOL, "The backend answered for a %dx%d image; this one is %dx%d."
                               % (result.width, result.height, prepared.width, prepared.height))
    decoded = _decode_layers(codec, result.layers, prepared.width, prepared.height)
    report = Report()
    report.message = result.message
    report.notes.extend(prepared.notes)
    active = doc.activeNode()
    active_uid = uid_of(active) if active is not None else None
    state = state_mod.load(doc)
    target = state.target(prepared.line_uid)

    if prepared.convert_gray and doc.colorModel() == "GRAYA":
        doc.setColorSpace("RGBA", "U8", SRGB)
        doc.waitForDone()
        report.notes.append("Converted the image from grayscale to RGB 8-bit so the colours can show "
                            "(Krita's undo reverts it).")
        line = tree.find(doc.rootNode(), prepared.line_uid) or line
    if decoded:
        new_group = not target.group or tree.find(doc.rootNode(), target.group) is None
        group = ensure_group(doc, target, line, settings.placement, report)
        if new_group and settings.placement == settings_mod.PLACE_UNDER and prepared.opaque \
                and line.blendingMode() == "normal":
            line.setBlendingMode("multiply")
            report.notes.append("Set '%s' to Multiply so the colours under it show through "
                                "(Layer Properties changes it back)." % line.name())
        _add_layers(doc, target, group, decoded, report)
    new_keys = [layer.key for layer, _box, _data in decoded]
    _remove_keys(doc, target, result.replaced, report, exclude=new_keys)
    if result.session_id:
        target.session_id = result.session_id
    if report.created or report.removed:
        state.add_history(prepared.instruction, prepared.line_uid, prepared.line_name, report.created,
                          report.replaced + report.removed)
    state_mod.save(doc, state)
    _restore_active(doc, active_uid)
    return report


# --- undo ------------------------------------------------------------------------------------------

def last_undo_request(doc):
    """(history entry, session id) of the step 'Undo last' would revert; raises UserError."""
    if not is_open(doc):
        raise UserError("Open a document first.")
    state = state_mod.load(doc)
    entry = state.last_entry()
    if entry is None:
        raise UserError("There is no colorization to undo in this document.")
    target = state.targets.get(entry.get("line_art"))
    return entry, (target.session_id if target else None)


def _begin_undo(doc, entry):
    """Both undo paths act only on the newest step: -> (state, its target, the active layer's uid)."""
    state = state_mod.load(doc)
    if not state.history or state.history[-1].get("id") != entry.get("id"):
        raise UserError("The document's history changed; nothing was undone.")
    active = doc.activeNode()
    active_uid = uid_of(active) if active is not None else None
    return state, state.target(entry["line_art"]), active_uid


def apply_undo(doc, entry, undo, settings, codec):
    """Apply a /v1/undo answer: remove the step's layers, bring back the layers it replaced."""
    state, target, active_uid = _begin_undo(doc, entry)
    report = Report()
    line = tree.find(doc.rootNode(), entry["line_art"])
    decoded = _decode_layers(codec, undo.restored, doc.width(), doc.height())
    if line is None:
        decoded = []
    restored_keys = [layer.key for layer, _box, _data in decoded]
    if decoded:  # a restored layer takes the place of the layer of the same key it replaced
        group = ensure_group(doc, target, line, settings.placement, report)
        _add_layers(doc, target, group, decoded, report)
    keys = [key for key in undo.removed if key not in restored_keys]
    for info in entry.get("layers") or []:  # the step's own layers, even if the backend forgot them
        if info["key"] not in keys and info["key"] not in restored_keys and \
                target.layers.get(info["key"], {}).get("uid") == info.get("uid"):
            keys.append(info["key"])
    _remove_keys(doc, target, keys, report)
    report.removed = report.replaced + report.removed
    report.replaced = []
    state.history.pop()
    state_mod.save(doc, state)
    _restore_active(doc, active_uid)
    report.message = "Undid '%s'." % entry["instruction"]
    if report.created:
        report.notes.append("Brought back " + ", ".join("'%s'" % c["name"] for c in report.created) + ".")
        report.created = []
    return report


def local_undo(doc, entry, reason=""):
    """Undo without the backend: remove the step's layers (what they replaced cannot come back)."""
    state, target, active_uid = _begin_undo(doc, entry)
    report = Report()
    keys = [info["key"] for info in entry.get("layers") or []
            if target.layers.get(info["key"], {}).get("uid") == info.get("uid")]
    _remove_keys(doc, target, keys, report)
    state.history.pop()
    state_mod.save(doc, state)
    _restore_active(doc, active_uid)
    report.message = "Undid '%s'." % entry["instruction"]
    if entry.get("replaced"):
        report.notes.append("The layers it had replaced could not be brought back%s." %
                            ((" (" + reason + ")") if reason else ""))
    return report


# --- the docker's list -----------------------------------------------------------------------------

def history_rows(doc):
    """[(entry, [(layer info, present?)])] newest first, for the docker's history list."""
    if not is_open(doc):
        return []
    state = state_mod.load(doc)
    root = doc.rootNode()
    present = set(uid_of(n) for n in tree.walk(root))
    rows = []
    for entry in reversed(state.history):
        layers = [(info, info.get("uid") in present) for info in entry.get("layers") or []]
        rows.append((entry, layers))
    return rows


def select_layer(doc, uid):
    node = tree.find(doc.rootNode(), uid) if is_open(doc) else None
    if node is None:
        return False
    doc.setActiveNode(node)
    return True
