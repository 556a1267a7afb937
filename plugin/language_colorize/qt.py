"""The one place that knows whether Qt comes from PyQt5 (Krita 5) or PyQt6 (Krita 6).

Every other module imports Qt names from here, so the plugin runs unchanged on both. Krita 6 embeds
PyQt6 and cannot import PyQt5 (and Krita 5 the reverse), so the binding Krita already loaded wins;
outside Krita, LANGCOLORIZE_QT=PyQt5|PyQt6 picks one (the tests run the plugin under each).

PyQt6 only knows scoped enums (Qt.ItemDataRole.UserRole), PyQt5 mostly flat ones (Qt.UserRole):
`_enum` reads whichever exists, and the constants below are what the plugin uses. QAction and
QShortcut moved from QtWidgets to QtGui in Qt 6; `exec_` is gone in PyQt6.
"""

import os
import sys
from typing import Any, Callable


def _choose() -> str:
    wanted = os.environ.get("LANGCOLORIZE_QT", "")
    if wanted in ("PyQt5", "PyQt6"):
        return wanted
    for name in ("PyQt6", "PyQt5"):  # Krita imported its binding before loading plugins
        if name in sys.modules:
            return name
    try:
        import PyQt5  # noqa: F401
    except ImportError:
        return "PyQt6"
    return "PyQt5"


BINDING = _choose()

if BINDING == "PyQt6":
    from PyQt6 import QtCore, QtGui, QtNetwork, QtWidgets
    from PyQt6.QtGui import QAction, QShortcut
else:
    from PyQt5 import QtCore, QtGui, QtNetwork, QtWidgets
    from PyQt5.QtWidgets import QAction, QShortcut

QT_MAJOR = 6 if BINDING == "PyQt6" else 5

# Classes, re-exported so plugin modules never import a binding themselves.
QBuffer = QtCore.QBuffer
QByteArray = QtCore.QByteArray
QCoreApplication = QtCore.QCoreApplication
QEventLoop = QtCore.QEventLoop
QIODevice = QtCore.QIODevice
QObject = QtCore.QObject
QProcess = QtCore.QProcess
QTimer = QtCore.QTimer
QUrl = QtCore.QUrl
Qt = QtCore.Qt
pyqtSignal = QtCore.pyqtSignal
QImage = QtGui.QImage
QNetworkAccessManager = QtNetwork.QNetworkAccessManager
QNetworkProxy = QtNetwork.QNetworkProxy
QNetworkReply = QtNetwork.QNetworkReply
QNetworkRequest = QtNetwork.QNetworkRequest
QApplication = QtWidgets.QApplication
QCheckBox = QtWidgets.QCheckBox
QComboBox = QtWidgets.QComboBox
QFileDialog = QtWidgets.QFileDialog
QFormLayout = QtWidgets.QFormLayout
QHBoxLayout = QtWidgets.QHBoxLayout
QLabel = QtWidgets.QLabel
QLineEdit = QtWidgets.QLineEdit
QMenu = QtWidgets.QMenu
QProgressBar = QtWidgets.QProgressBar
QPushButton = QtWidgets.QPushButton
QScrollArea = QtWidgets.QScrollArea
QSizePolicy = QtWidgets.QSizePolicy
QSpinBox = QtWidgets.QSpinBox
QToolButton = QtWidgets.QToolButton
QTreeWidget = QtWidgets.QTreeWidget
QTreeWidgetItem = QtWidgets.QTreeWidgetItem
QVBoxLayout = QtWidgets.QVBoxLayout
QWidget = QtWidgets.QWidget

__all__ = ["QAction", "QShortcut"]


def _enum(owner: Any, scope: str, name: str) -> Any:
    """owner.scope.name (PyQt6, and PyQt5 where scoped) or owner.name (PyQt5)."""
    scoped = getattr(owner, scope, None)
    if scoped is not None and hasattr(scoped, name):
        return getattr(scoped, name)
    return getattr(owner, name)


USER_ROLE = int(
    getattr(_enum(Qt, "ItemDataRole", "UserRole"), "value", _enum(Qt, "ItemDataRole", "UserRole"))
)
TEXT_SELECTABLE = _enum(Qt, "TextInteractionFlag", "TextSelectableByMouse")
ARROW_RIGHT = _enum(Qt, "ArrowType", "RightArrow")
ARROW_DOWN = _enum(Qt, "ArrowType", "DownArrow")
TEXT_BESIDE_ICON = _enum(Qt, "ToolButtonStyle", "ToolButtonTextBesideIcon")
INSTANT_POPUP = _enum(QToolButton, "ToolButtonPopupMode", "InstantPopup")
SHORTCUT_FOCUS = _enum(Qt, "FocusReason", "ShortcutFocusReason")
SIZE_PREFERRED = _enum(QSizePolicy, "Policy", "Preferred")
SIZE_MINIMUM = _enum(QSizePolicy, "Policy", "Minimum")
NO_FRAME = _enum(QtWidgets.QFrame, "Shape", "NoFrame")
FORMAT_ARGB32 = _enum(QImage, "Format", "Format_ARGB32")
FORMAT_GRAY8 = _enum(QImage, "Format", "Format_Grayscale8")
CONTENT_TYPE_HEADER = _enum(QNetworkRequest, "KnownHeaders", "ContentTypeHeader")
HTTP_STATUS_ATTRIBUTE = _enum(QNetworkRequest, "Attribute", "HttpStatusCodeAttribute")
NETWORK_NO_ERROR = _enum(QNetworkReply, "NetworkError", "NoError")
NO_PROXY = _enum(QNetworkProxy, "ProxyType", "NoProxy")
PROCESS_NOT_RUNNING = _enum(QProcess, "ProcessState", "NotRunning")
PROCESS_MERGED_CHANNELS = _enum(QProcess, "ProcessChannelMode", "MergedChannels")
WRITE_ONLY = _enum(QIODevice, "OpenModeFlag", "WriteOnly")
ECHO_PASSWORD = _enum(QLineEdit, "EchoMode", "Password")


def exec_(obj: Any) -> Any:
    """obj.exec() on PyQt6, obj.exec_() on PyQt5 (event loops, dialogs)."""
    run = getattr(obj, "exec", None) if QT_MAJOR == 6 else getattr(obj, "exec_", None)
    return (run or obj.exec)()


def single_shot(msec: int, callback: Callable[[], None]) -> None:
    QTimer.singleShot(int(msec), callback)
