"""The work of the «Дорожная карта» menu, run by an older Python with only what the .oxt carries.

Run as ``python -s -S office_path_run.py MASTER SUBMISSIONS WORKDIR AS_OF`` with the unpacked
.oxt's ``python/pythonpath`` on PYTHONPATH (no site-packages: no lxml, no python-calamine).
Does what the macros do — check every school file, make templates, consolidate into XLSX, ODS
and ODT with a history file and the schools' letters — and prints one JSON line with the figures, for the test to
compare with the command line's. This file itself must run on Python 3.8.
"""

import json
import os
import sys
from datetime import date


def main(master, submissions, workdir, as_of):
    for name in ("lxml", "python_calamine", "click"):
        try:
            __import__(name)
        except ImportError:
            continue
        raise SystemExit("%s is importable: not the office's environment" % name)
    import roadmap_office
    from roadmap_office.forms import generate_templates
    from roadmap_office.pipeline import check_one, collect_inputs, run_consolidation
    from roadmap_office.sheets.reading import fast_reader

    checks = {}
    for path in collect_inputs([submissions]):
        result = check_one(path)
        checks[path.name] = {"school": result.school, "rejected": bool(result.rejected),
                             "problems": [f.to_json() for f in result.findings]}
    templates = generate_templates(master, os.path.join(workdir, "templates"))
    result = run_consolidation(master, [submissions], os.path.join(workdir, "out"), ("xlsx", "ods", "odt"),
                               as_of=date.fromisoformat(as_of), jobs=1,
                               history=os.path.join(workdir, "history.sqlite"), letters=os.path.join(workdir, "letters"))
    bundled = sorted({name.split(".")[0] for name in sys.modules} & set(os.listdir(
        os.path.dirname(os.path.dirname(roadmap_office.__file__)))))
    ours = sorted(name for name in sys.modules if name.startswith("roadmap_office."))
    print(json.dumps({"python": "%d.%d.%d" % sys.version_info[:3], "library": roadmap_office.__file__,
                      "fast_reader": bool(fast_reader()), "checks": checks,
                      "templates": sorted(p.name for p in templates),
                      "summary": result.consolidation.summary_json(),
                      "outputs": [str(p) for p in result.outputs],
                      "letters": sorted(os.path.basename(str(p)) for p in result.letters),
                      "history": [s.summary_json() for s in result.consolidation.history],
                      "imported_packages": bundled, "imported_modules": ours}, ensure_ascii=False))


if __name__ == "__main__":
    main(*sys.argv[1:5])
