"""Write the offline HTML report of a run and link it from the Prefect flow run (artifact)."""

from __future__ import annotations

from pathlib import Path

from prefect import task


def write_and_link(db: str | Path | None, run_id: str | None, out_path: str | Path) -> dict:
    """The undecorated logic of `publish_report_artifact` (callable in unit tests)."""
    from prefect.artifacts import create_link_artifact

    from cbec.report import write_report

    out, rid = write_report(db, run_id, out_path)
    out = out.resolve()
    artifact_id = create_link_artifact(
        link=out.as_uri(),
        link_text=f"cbec report of run {rid} ({out.name})",
        key="cbec-report",
        description=f"Offline HTML report of run `{rid}`: open `{out}` in a browser.",
    )
    return {"path": str(out), "run_id": rid, "artifact_id": str(artifact_id)}


@task(name="publish-report")
def publish_report_artifact(
    db: str | Path | None, run_id: str | None, out_path: str | Path
) -> dict:
    """Write the report of `run_id` (None: newest published refresh run) to `out_path` and create
    a Prefect link artifact (key `cbec-report`) pointing to the file. Returns path, run id and
    artifact id."""
    return write_and_link(db, run_id, out_path)
