"""The ``roadmap-office`` command line: thin click commands over the library."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__
from .errors import RoadmapError
from .master import read_master
from .model import Roadmap


class _Group(click.Group):
    """Turns library errors into a Russian message and the error's exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except RoadmapError as exc:
            click.echo(f"Ошибка: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="roadmap-office", message="%(prog)s %(version)s")
def main() -> None:
    """Дорожные карты муниципальной системы образования: мастер-книга, шаблоны отчётов школ,
    проверка и свод."""


@main.command()
@click.argument("master", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Вывести модель в формате JSON.")
def show(master: Path, as_json: bool) -> None:
    """Показать содержание мастер-книги MASTER (ODS или XLSX)."""
    roadmap = read_master(master)
    if as_json:
        click.echo(json.dumps(roadmap.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(summary(roadmap))


def summary(roadmap: Roadmap) -> str:
    """A readable Russian summary of a roadmap."""
    items = roadmap.items
    flagged = [i for i in items if i.deadline.flagged]
    period = ""
    if roadmap.period_start and roadmap.period_end:
        period = f"{roadmap.period_start:%d.%m.%Y} – {roadmap.period_end:%d.%m.%Y}"
    lines = [
        roadmap.title,
        f"Утверждена: {roadmap.issuer}" if roadmap.issuer else "",
        f"Период реализации: {period or 'не указан'}",
        f"Отчётный период: {roadmap.reporting_period}" if roadmap.reporting_period else "",
        "",
        f"Разделов: {len(roadmap.sections)}, мероприятий: {len(items)}",
    ]
    for section in roadmap.sections:
        lines.append(f"  {section.number} {section.title} — мероприятий: {len(section.items)}")
    lines += [
        "",
        f"Сроки распознаны: {len(items) - len(flagged)}, не распознаны: {len(flagged)}",
        *[f"  {i.number} «{i.deadline.text}»" for i in flagged],
        f"Исполнителей в справочнике: {len(roadmap.executors)}",
        f"Школ: {len(roadmap.schools)}",
        f"Показателей: {len(roadmap.indicators)}",
    ]
    return "\n".join(line for line in lines if line is not None).replace("\n\n\n", "\n\n")


class _Formats(click.ParamType):
    """A comma-separated list of output formats, e.g. "ods,xlsx"."""

    name = "formats"

    def __init__(self, allowed: tuple[str, ...]) -> None:
        self.allowed = allowed

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        formats = tuple(f.strip().lower().lstrip(".") for f in str(value).split(",") if f.strip())
        wrong = [f for f in formats if f not in self.allowed]
        if wrong or not formats:
            self.fail(f"неизвестный формат «{wrong[0] if wrong else value}»; допустимо: {', '.join(self.allowed)}",
                      param, ctx)
        return formats


@main.command()
@click.argument("master", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "outdir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Папка для шаблонов.")
@click.option("--format", "formats", default="ods,xlsx", type=_Formats(("ods", "xlsx")), show_default=True,
              help="Форматы через запятую.")
@click.option("--school", "schools", multiple=True, metavar="CODE", help="Код школы (можно несколько раз).")
@click.option("--period", help="Отчётный период (по умолчанию — из мастер-книги).")
@click.option("--password", help="Пароль защиты листов (по умолчанию без пароля).")
def templates(master: Path, outdir: Path, formats, schools, period, password) -> None:
    """Создать шаблоны отчётов школ по мастер-книге MASTER."""
    from .forms import generate_templates

    paths = generate_templates(master, outdir, formats, list(schools) or None, period, password)
    click.echo(f"Создано шаблонов: {len(paths)} в папке {outdir}")
    for path in paths:
        click.echo(f"  {path.name}")


@main.command()
@click.argument("outdir", required=False, default="roadmap-demo", type=click.Path(file_okay=False, path_type=Path))
def demo(outdir: Path) -> None:
    """Выполнить полный цикл на демонстрационном округе (г. Саров) в папке OUTDIR."""
    from .demo import run_demo

    click.echo(f"Демонстрационный округ: дорожная карта 2.3 г. Сарова, 12 школ → {outdir}")
    outputs = run_demo(outdir)
    roadmap = read_master(outputs.master)
    click.echo(f"Мастер-книга: {outputs.master}  (разделов: {len(roadmap.sections)}, "
               f"мероприятий: {len(roadmap.items)}, школ: {len(roadmap.schools)})")
    for label, path in outputs.extra.items():
        click.echo(f"{label}: {path}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
