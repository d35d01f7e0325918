"""DeviceStatus: the device line and the warning, built alone."""

from ui.device_status import DeviceStatus, device_text


def test_device_line_wording():
    assert device_text("Tesla", "gpu", True) == "Device: Tesla (gpu, fp64)"
    assert device_text("Iris", "gpu", False) == "Device: Iris (gpu, fp32 only)"


def test_shows_device_and_platform(qtbot):
    status = DeviceStatus()
    qtbot.addWidget(status)
    status.set_device("pthread-CPU", "cpu", True, "Portable Computing Language")
    assert status.text() == "Device: pthread-CPU (cpu, fp64)"
    assert "Portable Computing Language" in status.device_label.toolTip()


def test_warning_appears_shortened_and_goes_away(qtbot):
    status = DeviceStatus()
    qtbot.addWidget(status)
    status.show()
    assert not status.warning_label.isVisible()
    long_note = "No OpenCL platform was found on this machine. " * 5
    status.set_warning(long_note)
    assert status.warning_label.isVisible()
    assert status.warning() == long_note
    assert len(status.warning_label.text()) < len(long_note)
    status.set_warning("")
    assert not status.warning_label.isVisible()
    assert status.warning() == ""
