"""Walking and editing Krita's layer tree through the Python API only.

Facts this relies on (checked in Krita 5.1): `childNodes()` lists bottom to top; `addChildNode(new,
above)` puts `new` directly above `above`, or at the top when `above` is None; there is no call that
inserts at the bottom, so putting a layer under the bottom-most one means adding it above and then
moving that one up (remove + add of the same node, which keeps its pixels and id). Wrappers are new
Python objects on every call: nodes are compared by unique id, never by identity.
"""

from .state import uid_of


def children(node):
    return list(node.childNodes() or [])


def walk(node):
    """Every node under `node` (depth first, bottom to top), not `node` itself."""
    for child in children(node):
        yield child
        for sub in walk(child):
            yield sub


def find(root, uid):
    if not uid or root is None:
        return None
    for node in walk(root):
        if uid_of(node) == uid:
            return node
    return None


def index_in_parent(node):
    parent = node.parentNode()
    if parent is None:
        return None, -1
    uid = uid_of(node)
    for i, child in enumerate(children(parent)):
        if uid_of(child) == uid:
            return parent, i
    return parent, -1


def path_of(node):
    """Child indices from the root down to `node` (to find the same layer in a cloned document)."""
    path = []
    while True:
        parent, index = index_in_parent(node)
        if parent is None or index < 0:
            break
        path.append(index)
        node = parent
    return list(reversed(path))


def at_path(root, path):
    node = root
    for index in path:
        kids = children(node)
        if index >= len(kids):
            return None
        node = kids[index]
    return node


def ancestors_uids(node):
    uids = []
    parent = node.parentNode()
    while parent is not None:
        uids.append(uid_of(parent))
        parent = parent.parentNode()
    return uids


def is_in_document(root, node):
    return node is not None and find(root, uid_of(node)) is not None


def insert_above(parent, node, ref):
    parent.addChildNode(node, ref)


def insert_below(parent, node, ref):
    """Put `node` directly under `ref` (a child of `parent`). Returns True if `ref` had to move up."""
    kids = children(parent)
    ref_uid = uid_of(ref)
    index = next((i for i, kid in enumerate(kids) if uid_of(kid) == ref_uid), -1)
    if index > 0:
        parent.addChildNode(node, kids[index - 1])
        return False
    if index < 0:
        parent.addChildNode(node, None)
        return False
    # `ref` is the bottom-most child: add above it, then move `ref` (same node) back on top.
    parent.addChildNode(node, ref)
    ref.remove()
    parent.addChildNode(ref, node)
    return True


def insert_bottom(parent, node):
    """Put `node` at the bottom of `parent`. Returns True if the old bottom child had to move."""
    kids = children(parent)
    if not kids:
        parent.addChildNode(node, None)
        return False
    return insert_below(parent, node, kids[0])
