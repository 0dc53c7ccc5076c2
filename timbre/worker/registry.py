"""Imports every module that defines tasks, so a consumer knows them all."""

import importlib

TASK_MODULES = ("timbre.teams.tasks", "timbre.emails.tasks", "timbre.worker.periodic", "timbre.clients.tasks",
                "timbre.invoices.tasks", "timbre.payments.tasks", "timbre.receipts.tasks",
                "timbre.receipts.mail_tasks", "timbre.webhooks.tasks", "timbre.events.tasks", "timbre.rates.tasks",
                "timbre.satlists.tasks", "timbre.invoices.sat_tasks", "timbre.satmirror.tasks",
                "timbre.retentions.tasks")


def load_tasks() -> None:
    for name in TASK_MODULES:
        importlib.import_module(name)
