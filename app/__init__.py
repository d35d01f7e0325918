"""Matrix Network Lab's composition root: the main window, controllers and CLI entry."""
