"""`xmk serve`: the portal on uvicorn, on the one address given (default 127.0.0.1:8080)."""

from __future__ import annotations

import sys

from dagster_project.ingest.reference import ReferenceFileError, load_regions
from dagster_project.portal.config import PortalConfig


def serve(host: str, port: int, raw=None, warehouse=None, out=None) -> int:
    import uvicorn

    from dagster_project.portal.app import create_app

    try:
        config = PortalConfig.from_env(raw, warehouse, out)
        load_regions(config.paths.raw_dir)  # a broken reference file is said now, not per page
    except (ValueError, ReferenceFileError) as exc:
        print(f"xmk serve: {exc}", file=sys.stderr)
        return 2
    app = create_app(config)
    print(
        f"xmk serve: http://{host}:{port}/  (raw {config.paths.raw_dir}, "
        f"accounts and uploads {config.state_dir})",
        flush=True,
    )
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="info",
        access_log=True,
        proxy_headers=False,
        server_header=False,
        date_header=True,
    )
    return 0
