"""Live tracking of a training run, as callbacks of the loop (which names none of them): ``losses.csv``
appended as rows are logged, TensorBoard and MLflow trackers (optional extras) that receive every numeric
value of each logged row, and sample pictures every K steps (``RUN/samples/step_N.png``, sent to the trackers)."""
from __future__ import annotations

import csv
import io
import numbers
import os
import time
from pathlib import Path

import numpy as np

from ..errors import TsganError
from ..files import write_text
from .loop import Callback
from .tracking_names import LOGGERS

SYNC_SECONDS = 60.0  # losses.csv reaches the disk (fsync) at most this long after a row was logged (a resume rewrites it anyway)
_APPEND = os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def numeric_values(record: dict) -> dict[str, float]:
    """A history row's numbers by name, its step left out: losses, what techniques record, validation figures."""
    return {k: float(v) for k, v in record.items()
            if k != "step" and isinstance(v, numbers.Real) and not isinstance(v, bool)}


class LossCsv(Callback):
    """``losses.csv`` (a row per step) kept current while training: each logged row is appended as it is
    logged, in one write, so a process killed at any moment leaves a valid CSV of the rows so far; it is
    fsynced at most ``SYNC_SECONDS`` after a write and when training ends. A resumed run starts the file
    over from the checkpoint's history (rows a killed run logged after its last checkpoint are trained
    again), so no step appears twice. A value name seen for the first time (a validation figure, say)
    rewrites the file with the new column; rows without a value leave its cell empty."""

    def __init__(self, path: str | Path, *, root: str | Path | None = None) -> None:
        self.path, self.root = Path(path), root
        self.columns: list[str] | None = None
        self._synced = 0.0

    def on_train_start(self, trainer) -> None:
        self.columns = None
        if trainer.history:
            self._rewrite(trainer.history)

    def on_log(self, trainer, records: list[dict]) -> None:
        if self.columns is None or any(k not in self.columns for r in records for k in r):
            self._rewrite(trainer.history)  # the history holds these records already
            return
        try:
            fd = os.open(self.path, _APPEND)
        except FileNotFoundError:  # removed meanwhile: write it whole again
            self._rewrite(trainer.history)
            return
        try:
            data = self._rows(records).encode("utf-8")
            while data:
                data = data[os.write(fd, data):]
            if time.monotonic() - self._synced >= SYNC_SECONDS:
                os.fsync(fd)
                self._synced = time.monotonic()
        finally:
            os.close(fd)

    def on_train_end(self, trainer) -> None:
        self._rewrite(trainer.history)  # durable, and a run of no new steps still gets its file

    def _rewrite(self, history: list[dict]) -> None:
        self.columns = list(dict.fromkeys(["step", *(k for r in history for k in r)]))  # first appearance, as pandas orders them
        write_text(self.path, ",".join(self.columns) + "\n" + self._rows(history), overwrite=True, root=self.root)
        self._synced = time.monotonic()

    def _rows(self, records: list[dict]) -> str:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([r.get(c, "") for c in self.columns] for r in records)
        return out.getvalue()


class Tracker(Callback):
    """A place a run's figures go while it trains. Every numeric value of each logged row goes to
    :meth:`log_values` (one call per step); :class:`SamplePictures` hands it pictures; :meth:`finish` ends
    it with a status (also when training fails or is interrupted: :func:`finish_all`)."""

    finished = False

    def on_log(self, trainer, records: list[dict]) -> None:
        for record in records:
            values = numeric_values(record)
            if values:
                self.log_values(int(record["step"]), values)
        self.flush()

    def on_train_end(self, trainer) -> None:
        self.finish("FINISHED")

    def log_values(self, step: int, values: dict[str, float]) -> None: ...
    def log_picture(self, name: str, figure, step: int) -> None: ...
    def flush(self) -> None: ...

    def finish(self, status: str) -> None:
        """End the tracking (``status``: FINISHED, FAILED or KILLED); once."""
        if not self.finished:
            self.finished = True
            self._close(status)

    def _close(self, status: str) -> None: ...


def _extra_missing(name: str) -> TsganError:
    return TsganError(f"logger '{name}' needs the {name} package: pip install 'tsgan[{LOGGERS[name]}]'")


class TensorBoardTracker(Tracker):
    """TensorBoard event files in ``log_dir`` (``tensorboard --logdir RUN/tensorboard``): a scalar per value
    name, a picture per sample step. A resumed run drops what a killed run logged after its checkpoint."""

    def __init__(self, log_dir: str | Path) -> None:
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            raise _extra_missing("tensorboard") from None
        self._writer_class, self.log_dir, self.writer = SummaryWriter, Path(log_dir), None

    def on_train_start(self, trainer) -> None:
        # purge_step: TensorBoard hides the earlier files' events from this step on (logged after the checkpoint)
        self.writer = self._writer_class(str(self.log_dir), purge_step=trainer.step + 1 if trainer.step else None)

    def log_values(self, step: int, values: dict[str, float]) -> None:
        for name, value in values.items():
            self.writer.add_scalar(name, value, step)

    def log_picture(self, name: str, figure, step: int) -> None:
        self.writer.add_figure(name, figure, step, close=False)

    def flush(self) -> None:
        self.writer.flush()  # a killed run keeps what was logged

    def _close(self, status: str) -> None:
        if self.writer is not None:
            self.writer.close()


MLFLOW_RUN_FILE = "mlflow-run.txt"  # in the run folder: the MLflow run a resume continues


class MLflowTracker(Tracker):
    """An MLflow run (experiment ``experiment``) in the tracking store ``uri`` (default ``./mlruns``, a local
    folder): the training settings as parameters, a metric per value name, a ``samples/step_N.png`` artifact
    per sample step. With ``run_folder``, its id is kept there and a resumed run continues the same MLflow run."""

    def __init__(self, uri: str | None = None, *, run_folder: str | Path | None = None, experiment: str = "tsgan",
                 params: dict | None = None) -> None:
        try:
            from mlflow.tracking import MlflowClient
        except ImportError:
            raise _extra_missing("mlflow") from None
        uri = uri or "mlruns"
        if "://" not in uri and not uri.startswith(("file:", "sqlite:", "databricks")):
            uri = Path(uri).absolute().as_uri()  # a folder
        if uri.startswith("file:"):
            # MLflow 3 refuses a folder store unless told; a folder is what mlflow-skinny can track into locally
            os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
        self.uri, self.run_folder, self.experiment, self.params = uri, run_folder, experiment, dict(params or {})
        self.client, self.run_id, self._pending = MlflowClient(tracking_uri=uri), None, []

    def on_train_start(self, trainer) -> None:
        try:
            self._start(trainer)
        except Exception as exc:  # an unreachable server, a store it cannot write: one line, before any step
            raise TsganError(f"MLflow could not start a run in '{self.uri}' ({type(exc).__name__}: {str(exc)[:200]}); "
                             "check --mlflow-uri") from None

    def _start(self, trainer) -> None:
        from mlflow.entities import Param

        self.run_id = self._previous_run() if trainer.step else None
        if self.run_id is None:
            experiment = self.client.get_experiment_by_name(self.experiment)
            experiment_id = experiment.experiment_id if experiment is not None else self.client.create_experiment(self.experiment)
            run_name = Path(self.run_folder).name if self.run_folder is not None else None
            self.run_id = self.client.create_run(experiment_id, run_name=run_name).info.run_id
            self.client.log_batch(self.run_id, params=[Param(k, str(v)[:500]) for k, v in self.params.items()])
            if self.run_folder is not None:
                write_text(Path(self.run_folder) / MLFLOW_RUN_FILE, f"{self.uri}\n{self.run_id}\n", overwrite=True, root=self.run_folder)
        else:
            self.client.update_run(self.run_id, status="RUNNING")

    def _previous_run(self) -> str | None:
        """The MLflow run this folder's run logged to, if it is in this store."""
        path = None if self.run_folder is None else Path(self.run_folder) / MLFLOW_RUN_FILE
        if path is None or not path.is_file():
            return None
        lines = path.read_text().split()
        if len(lines) != 2 or lines[0] != self.uri:
            return None
        try:
            return self.client.get_run(lines[1]).info.run_id
        except Exception:  # deleted, or another store: start a new run
            return None

    def log_values(self, step: int, values: dict[str, float]) -> None:
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        self._pending += [Metric(k, v, now, step) for k, v in values.items()]

    def log_picture(self, name: str, figure, step: int) -> None:
        self.client.log_figure(self.run_id, figure, f"{name}/step_{step}.png")

    def flush(self) -> None:
        while self._pending:  # MLflow takes at most 1000 metrics a batch
            batch, self._pending = self._pending[:1000], self._pending[1000:]
            self.client.log_batch(self.run_id, metrics=batch)

    def _close(self, status: str) -> None:
        if self.run_id is not None:
            self.flush()
            self.client.set_terminated(self.run_id, status=status)


class SamplePictures(Callback):
    """Every ``every`` steps, real beside generated sequences (:func:`tsgan.evaluation.plots.real_vs_generated_figure`)
    from the sampling generator so far: written to ``folder/samples/step_N.png`` (with a folder) and sent to
    ``trackers``. Sampling uses its own seeded stream and eval mode: training goes on exactly as without it."""

    def __init__(self, gan, X, labels, *, every: int, folder: str | Path | None = None, trackers=(), seed: int = 0,
                 n: int = 256) -> None:
        if folder is None and not trackers:
            raise TsganError("sample pictures need a place to go: give out_dir (they go to out_dir/samples) or a logger")
        keep = np.random.default_rng(seed).permutation(len(X))[:n]  # the real side: a fixed subset
        self.gan, self.X, self.every, self.seed, self.n = gan, X[keep], every, seed, n
        self.labels = None if labels is None else np.asarray(labels)[keep]
        self.folder, self.trackers = None if folder is None else Path(folder), tuple(trackers)
        self._last = 0

    def on_train_start(self, trainer) -> None:
        self._last = trainer.step  # a resumed run does not draw its resume step again

    def on_log(self, trainer, records: list[dict]) -> None:
        if trainer.step // self.every > self._last // self.every:
            self._last = trainer.step
            self.draw(trainer)

    def draw(self, trainer) -> None:
        from ..evaluation.plots import real_vs_generated_figure, run_title, save_and_close

        gan = self.gan
        gan.sampler_ = trainer.sampling_generator
        fake, fake_labels = gan.sample(min(len(self.X), self.n), seed=self.seed, return_labels=True)
        figure = real_vs_generated_figure(self.X, None if fake_labels is None else self.labels, fake, fake_labels,
                                          seed=self.seed, channels=gan.channels_, title=run_title(gan, trainer.step))
        try:
            for tracker in self.trackers:
                tracker.log_picture("samples", figure, trainer.step)
        finally:
            if self.folder is not None:
                save_and_close(figure, self.folder / "samples" / f"step_{trainer.step}.png", root=self.folder)
            else:
                save_and_close(figure, None)


def trackers_for(gan, config, out_dir, data) -> list[Callback]:
    """The tracking callbacks ``config`` asks for (``logger``, ``sample_every``) for a run in ``out_dir``
    (None: no folder) on ``data`` (:class:`tsgan.data.Sequences`): the trackers, then the sample pictures."""
    trackers: list[Tracker] = []
    for name in config.logger:
        if name == "tensorboard":
            if out_dir is None:
                raise TsganError("logger 'tensorboard' writes its event files into the run folder: give out_dir")
            trackers.append(TensorBoardTracker(Path(out_dir) / "tensorboard"))
        elif name == "mlflow":
            trackers.append(MLflowTracker(config.mlflow_uri, run_folder=out_dir, params=_params(gan, config)))
    every = config.sample_every or (config.checkpoint_every if trackers else None)
    callbacks: list[Callback] = list(trackers)
    if every:
        names = None if data.y is None else np.asarray(data.classes, dtype=object)[np.clip(data.y, 0, None)]
        callbacks.append(SamplePictures(gan, data.X, names, every=every, folder=out_dir, trackers=trackers, seed=config.seed))
    return callbacks


def _params(gan, config) -> dict:
    settings = {"generator": gan.generator, "discriminator": gan.discriminator, "loss": gan.loss,
                "noise_dim": gan.noise_dim, "hidden": gan.hidden, "layers": gan.layers}
    settings.update({k: v for k, v in vars(config).items() if k not in ("logger", "mlflow_uri", "progress")})
    settings.update({t.name: t.config() for t in getattr(gan, "techniques_", ())})
    return {k: v for k, v in settings.items() if v is not None}


def finish_all(callbacks, error: BaseException | None) -> None:
    """End every tracker among ``callbacks``: after ``error`` (KILLED for an interrupt, else FAILED), or FINISHED."""
    status = "FINISHED" if error is None else "KILLED" if isinstance(error, KeyboardInterrupt) else "FAILED"
    for callback in callbacks:
        if isinstance(callback, Tracker):
            callback.finish(status)
