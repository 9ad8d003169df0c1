"""Great Expectations' own Data Docs for the suites' validations (SPEC §4): what each
run validated, browsable as GX renders it, next to the failure table built from it.

* Each run's validation results (one per list and chunk of submissions validated) are
  kept in GX's validation-results store on disk, `<out>/gx/validations/`, so earlier
  runs stay browsable.
* The static site is `<out>/data_docs/` (`index.html`, one page per validation and one
  per suite), built once per run after all lists, only for what the run validated (the
  index lists every stored run); a run that validated nothing builds nothing.

Validation itself stays in quality/suites.py (each chunk in memory); the results are put
in GX's store and rendered by GX's site builder here, not through a Checkpoint with
UpdateDataDocsAction, which would rebuild the site after every list and chunk.

The site's pages load their styles and scripts from public CDNs, as GX ships them: on a
machine without internet the pages read unstyled and the index's table stays empty, while
each validation page still shows its results.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dagster_project.quality.suites import load_suites

DATA_DOCS_DIR = "data_docs"
RESULTS_DIR = Path("gx") / "validations"
_SITE = "xmk"


@dataclass(frozen=True)
class DataDocs:
    index: Path
    pages: dict[str, list[Path]]  # this run's validation pages, by list key


def index_path(out_dir: Path) -> Path:
    return out_dir / DATA_DOCS_DIR / "index.html"


def build_data_docs(out_dir: Path, run_name: str, validations: list) -> DataDocs:
    """Store `validations` (GX suite validation results, in the order validated) under
    one run and render them, the suites of `expectations/` and the index. A list
    validated in several chunks gets a page per chunk (`<list>-1`, `<list>-2`, …)."""
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    context = _context(out_dir)
    run = RunIdentifier(run_name=run_name, run_time=datetime.now(UTC))
    keys, parts = [], {}
    for result in validations:
        name = result.suite_name
        parts[name] = parts.get(name, 0) + 1
        # What GX's ValidationDefinition.run records, so the pages name the run.
        result.meta["run_id"] = run
        result.meta["validation_time"] = run.run_time
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=name),
            run_id=run,
            batch_identifier=f"{name}-{parts[name]}",
        )
        context.validation_results_store.set(key, result)
        keys.append(key)
    suites = load_suites()
    for suite in suites.values():
        context.suites.add(suite)
    suite_keys = [ExpectationSuiteIdentifier(name=name) for name in suites]
    context.build_data_docs(site_names=[_SITE], resource_identifiers=[*keys, *suite_keys])
    pages: dict[str, list[Path]] = {}
    for key in keys:
        (url,) = context.get_docs_sites_urls(resource_identifier=key, site_name=_SITE)
        pages.setdefault(key.expectation_suite_identifier.name, []).append(
            Path(url["site_url"].removeprefix("file://"))
        )
    return DataDocs(index_path(out_dir), pages)


def _context(out_dir: Path):
    """An ephemeral GX context whose validation results live on disk under `out_dir`
    and whose one Data Docs site is `out_dir/data_docs`; the suites come from
    `expectations/` each run, so their store is in memory."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    defaults = InMemoryStoreBackendDefaults()
    defaults.stores[defaults.validation_results_store_name] = {
        "class_name": "ValidationResultsStore",
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(out_dir / RESULTS_DIR),
        },
    }
    config = DataContextConfig(
        store_backend_defaults=defaults,
        data_docs_sites={},
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.add_data_docs_site(
        _SITE,
        {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(out_dir / DATA_DOCS_DIR),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    return context
