"""The main window: menus, status bar and the central page, wired to the controllers."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox, QTabWidget, QVBoxLayout, QWidget

from app.device_controller import DeviceController
from app.matrix_lab import MatrixLabPanel
from app.network_lab import NetworkLabPanel
from ui.device_status import DeviceStatus

ABOUT_TEXT = (
    "<h3>Matrix Network Lab</h3>"
    "<p>A desktop lab for learning matrices and neural networks: build them visually, "
    "run them on OpenCL kernels on the GPU or CPU in this machine, step through "
    "forward and backward passes one operation at a time, and watch training live.</p>"
    "<p>Built with PySide6, pyqtgraph, numpy and pyopencl.</p>"
)


class MainWindow(QMainWindow):
    """The application window. It lays out widgets and wires signals; it computes nothing."""

    def __init__(self, parent: QWidget | None = None, devices: DeviceController | None = None,
                 network_lab: NetworkLabPanel | None = None):
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("Matrix Network Lab")
        self.resize(1100, 720)

        self.device_controller = devices or DeviceController(self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("labTabs")
        self.tabs.setDocumentMode(True)
        self.network_lab = network_lab or NetworkLabPanel(self)
        self.network_lab.setParent(self)
        self.tabs.addTab(self.network_lab, "Network lab")
        self.matrix_lab = MatrixLabPanel(self)
        self.tabs.addTab(self.matrix_lab, "Matrix lab")
        # The Challenges page is built when first shown (or asked for): it costs a few
        # tenths of a second that the window's start should not pay
        self._challenges = None
        self.challenges_page = QWidget(self)
        self.challenges_page.setObjectName("challengesPage")
        QVBoxLayout(self.challenges_page).setContentsMargins(0, 0, 0, 0)
        self.tabs.addTab(self.challenges_page, "Challenges")
        self.tabs.currentChanged.connect(self._tab_shown)
        self.setCentralWidget(self.tabs)

        self.device_status = DeviceStatus(self)
        self.statusBar().setObjectName("statusBar")
        self.statusBar().addPermanentWidget(self.device_status)

        self._build_file_menu()
        self._build_edit_menu()
        self._build_view_menu()
        self._build_device_menu()
        self._build_help_menu()
        for menu in self.matrix_lab.menus():
            self.menuBar().insertMenu(self.device_menu.menuAction(), menu)
        self.matrix_lab.statusMessage.connect(lambda text: self.statusBar().showMessage(text, 10000))

        self.device_controller.deviceChanged.connect(self._show_device)
        # training moves to the new device, keeping its weights and history
        self.device_controller.deviceChanged.connect(lambda _device: self.network_lab.use_current_device())
        self.device_controller.failed.connect(self._show_device_error)
        self._show_device(self.device_controller.current())

    @property
    def challenges(self):
        """The Challenges page (``app.challenges_lab.ChallengesPanel``), built on first use."""
        if self._challenges is None:
            from app.challenges_lab import ChallengesPanel

            panel = ChallengesPanel(
                self.challenges_page,
                matrices=lambda: {name: self.matrix_lab.matrix(name) for name in self.matrix_lab.names()},
                network=self._network_snapshot,
            )
            panel.statusMessage.connect(lambda text: self.statusBar().showMessage(text, 10000))
            self.challenges_page.layout().addWidget(panel)
            self._challenges = panel
        return self._challenges

    def _tab_shown(self, index: int) -> None:
        if self.tabs.widget(index) is self.challenges_page and self._challenges is None:
            self.challenges.show()

    # -- menus -----------------------------------------------------------------

    def _menu(self, title: str, name: str):
        menu = self.menuBar().addMenu(title)
        menu.setObjectName(name)
        return menu

    def _build_file_menu(self) -> None:
        menu = self._menu("&File", "fileMenu")
        quit_action = QAction("&Quit", self)
        quit_action.setObjectName("quitAction")
        quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        # Not every platform defines a Quit key (Windows has none); Ctrl+Q everywhere.
        if quit_action.shortcut().isEmpty():
            quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self.close)
        menu.addAction(quit_action)

    def _build_edit_menu(self) -> None:
        menu = self._menu("&Edit", "editMenu")
        # The matrix lab's own undo stack: its shortcuts work while the lab has focus.
        for action in self.matrix_lab.edit_actions():
            menu.addAction(action)

    def _build_view_menu(self) -> None:
        menu = self._menu("&View", "viewMenu")
        full_screen = QAction("&Full Screen", self)
        full_screen.setObjectName("fullScreenAction")
        full_screen.setCheckable(True)
        full_screen.setShortcut(QKeySequence(QKeySequence.StandardKey.FullScreen))
        full_screen.toggled.connect(lambda on: self.showFullScreen() if on else self.showNormal())
        menu.addAction(full_screen)
        status_bar = QAction("&Status Bar", self)
        status_bar.setObjectName("statusBarAction")
        status_bar.setCheckable(True)
        status_bar.setChecked(True)
        status_bar.toggled.connect(self.statusBar().setVisible)
        menu.addAction(status_bar)

    def _build_device_menu(self) -> None:
        self.device_menu = self._menu("&Device", "deviceMenu")
        self.device_group = QActionGroup(self)
        self.device_group.setExclusive(True)
        self.device_actions: dict[str, QAction] = {}
        for device in self.device_controller.devices():
            action = QAction(device.name, self)
            action.setObjectName(f"deviceAction:{device.name}")
            action.setCheckable(True)
            action.setData(device.name)
            action.setToolTip(f"{device.name} on {device.platform} ({device.kind})")
            action.setStatusTip(f"Compute on {device.name} ({device.platform})")
            self.device_group.addAction(action)
            self.device_menu.addAction(action)
            self.device_actions[device.name] = action
        # triggered fires only on a person's choice, not on setChecked from _show_device.
        self.device_group.triggered.connect(lambda action: self.device_controller.choose(action.data()))

    def _build_help_menu(self) -> None:
        menu = self._menu("&Help", "helpMenu")
        about = QAction("&About Matrix Network Lab", self)
        about.setObjectName("aboutAction")
        about.triggered.connect(self.show_about)
        menu.addAction(about)

    def show_matrix_demo(self, name: str) -> None:
        """Load the matrix lab's example ("matrix": the multiplication stepper mid-way,
        "elimination": an inverse half-way) and bring the lab to front."""
        self.matrix_lab.load_demo("stepper" if name == "matrix" else "elimination")
        self.tabs.setCurrentWidget(self.matrix_lab)

    def _network_snapshot(self):
        """The network lab's trained network for the challenges (called on their worker
        thread: it reads only the last snapshot's plain data, never the live model)."""
        lab = self.network_lab
        latest, model = lab.latest, lab.model
        if latest is None or model is None:
            return None
        return {"spec": model.spec, "params": latest["params"], "data": lab.data,
                "name": "the network lab's network"}

    def shutdown(self) -> None:
        """Stop every background thread (training, challenges) and wait for them."""
        self.network_lab.shutdown()
        if self._challenges is not None:
            self._challenges.shutdown()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """Stop the background threads cleanly before the window goes."""
        self.shutdown()
        super().closeEvent(event)

    # -- reactions ---------------------------------------------------------------

    def show_about(self) -> QMessageBox:
        """Open the About box (without blocking) and return it."""
        return self._message(QMessageBox.Icon.Information, "About Matrix Network Lab", ABOUT_TEXT)

    def _show_device(self, device) -> None:
        self.device_status.set_device(device.name, device.kind, device.fp64, device.platform)
        self.device_status.set_warning(self.device_controller.warning())
        action = self.device_actions.get(device.name)
        if action is not None:
            action.setChecked(True)

    def _show_device_error(self, sentence: str) -> None:
        self.statusBar().showMessage(sentence, 15000)
        # The menu must go on showing the device really in use, not the one that failed.
        self._show_device(self.device_controller.current())
        self._message(QMessageBox.Icon.Warning, "Device not changed", sentence)

    def _message(self, icon: QMessageBox.Icon, title: str, text: str) -> QMessageBox:
        # open() rather than exec(): window-modal without a nested event loop, so the
        # window (and tests) keep running while the box is up.
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("messageBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box
