"""`lantern`: the command-line front end. It calls the public API only and turns domain
errors into one readable line (exit 0 success, 1 some inputs failed, 2 usage error)."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from core import (
    LanternError,
    Library,
    RemoteSettings,
    Settings,
    SettingsError,
    as_damage,
    printable,
)
from core.cli.output import EXIT_FAILED, EXIT_OK, EXIT_USAGE

MAX_K = 50  # RetrievalSettings.k's upper bound


class _Version(argparse.Action):
    """--version: the app, the llama.cpp build, the models and the dependency lock (core.about)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="show the version, llama.cpp build, models with their sha256 and "
                         "the dependency lock, then exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        from core import version_text

        print(version_text())
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lantern", description="Ask questions about your papers, offline, with citations."
    )
    parser.add_argument("--library", type=Path, help="library folder (default: $LANTERN_LIBRARY "
                        "or the user data folder)")
    parser.add_argument("--verbose", "-v", action="store_true", help="show library and model logs")
    parser.add_argument("--version", "-V", action=_Version)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("add", help="add PDF files or folders (recursive), or a Zotero library")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    p.add_argument("--zotero", nargs="?", const="", type=str, metavar="DIR",
                   help="import the PDFs of a Zotero library with its metadata and collections "
                   "(DIR: Zotero's data folder, default ~/Zotero); read-only")
    p.add_argument("--zotero-base", type=Path, metavar="DIR",
                   help="Zotero's base directory for linked files stored as relative paths")
    p.add_argument("--json", action="store_true", help="one JSON object per file")
    p.add_argument("--ocr", choices=["auto", "force", "off"],
                   help="recognise text from page images: auto (pages without a usable text "
                   "layer; the default), force (every page), off")
    p.add_argument("--ocr-language", metavar="LANG",
                   help="Tesseract language code(s), e.g. eng or eng+deu (default: eng)")
    p.add_argument("--wait", action="store_true",
                   help="return once the papers' vectors are computed too (by default it "
                   "returns once they are searchable by their words, and a background process "
                   "computes the vectors)")

    p = sub.add_parser("index", help="compute the vectors of papers still searchable by their "
                       "words only (added without --wait, or an interrupted run)")
    p.add_argument("--json", action="store_true", help="one JSON object per paper")
    p.add_argument("--background", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--after", type=int, metavar="PID", help=argparse.SUPPRESS)

    p = sub.add_parser("list", help="list the papers in the library")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("show", help="show one paper")
    p.add_argument("doc_id", metavar="DOC_ID")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("remove", help="remove papers from the library")
    p.add_argument("doc_ids", nargs="*", metavar="DOC_ID")
    p.add_argument("--samples", action="store_true", help="remove the sample papers")

    p = sub.add_parser("ask", help="ask a question; the answer cites paper, page and quote")
    p.add_argument("question")
    p.add_argument("--paper", action="append", dest="papers", metavar="DOC_ID",
                   help="only this paper (repeat for several)")
    _scope_arguments(p)
    p.add_argument("--bib", type=Path, metavar="FILE.bib",
                   help="also write the cited papers as BibTeX (keyed by Zotero citekeys)")
    p.add_argument("--all-papers", action="store_true",
                   help="ask every paper even when the question names one (by default a "
                        "question naming a paper, e.g. 'RoBERTa', is asked of that paper)")
    p.add_argument("--k", type=_passages, help="passages to retrieve (1 to 50)")
    p.add_argument("--model", type=Path, metavar="PATH.gguf", help="GGUF chat model to use")
    _endpoint_options(p)
    p.add_argument("--no-llm", action="store_true", help="evidence only, no generated answer")
    p.add_argument("--json", action="store_true",
                   help="the answer as JSON: `answer` holds verified text only, `draft` the "
                        "model's own text; `provenance` what produced it")
    p.add_argument("--annotate", type=Path, metavar="DIR",
                   help="also write copies of the cited papers with each quote highlighted to DIR")

    p = sub.add_parser("models", help="list the GGUF and embedding models found")
    p.add_argument("--json", action="store_true")
    p.add_argument("--check", action="store_true",
                   help="load each model and try it once (offline): the embedding model on both "
                   "paths (papers and questions) and the chat model")

    p = sub.add_parser("doctor", help="check the library against its vector index and repair it")
    p.add_argument("--compact", action="store_true",
                   help="also rebuild the vector index without the slots of deleted papers")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("extract", help="answer a question set for each paper; write a table of "
                       "answers, each with its page and quote")
    p.add_argument("--questions", required=True, metavar="builtin:NAME|FILE",
                   help="question set: a TOML file, or builtin:dl-methods")
    p.add_argument("--paper", action="append", dest="papers", metavar="DOC_ID",
                   help="only this paper (repeat for several; default: all)")
    _scope_arguments(p)
    p.add_argument("--out", required=True, type=Path, metavar="FILE", help="table to write")
    p.add_argument("--bib", type=Path, metavar="FILE.bib",
                   help="also write the table's papers as BibTeX (keyed by Zotero citekeys)")
    p.add_argument("--format", choices=["csv", "md", "json"], help="default: from the --out suffix")
    p.add_argument("--long", action="store_true", help="CSV with one row per paper and question")
    p.add_argument("--model", type=Path, metavar="PATH.gguf", help="GGUF chat model to use")
    _endpoint_options(p)
    p.add_argument("--no-llm", action="store_true",
                   help="fill cells with the best evidence sentence, no model (fast)")
    p.add_argument("--force", action="store_true", help="answer again what earlier runs stored")
    p.add_argument("--json", action="store_true", help="one JSON object per cell on stdout")
    p.add_argument("--annotate", type=Path, metavar="DIR",
                   help="also write copies of the papers with each quote highlighted to DIR")

    p = sub.add_parser("verify", help="re-check every quote of an exported table (or answer) "
                       "against the PDFs it cites; no model, no network")
    p.add_argument("table", type=Path, metavar="TABLE",
                   help="a table from `lantern extract` (.json, .md, or .csv with its "
                   ".provenance.json) or an answer from `ask --json`")
    p.add_argument("--papers", type=Path, metavar="DIR",
                   help="find the PDFs in this folder by sha256 (default: the library's)")
    p.add_argument("--json", action="store_true", help="the result as JSON")

    sub.add_parser("demo", help="build the sample library and answer a sample question")
    return parser


def _scope_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--collection", metavar="NAME",
                   help="only papers in this Zotero collection (path or name; sub-collections too)")
    p.add_argument("--year-from", type=int, metavar="YEAR", help="only papers published from YEAR")
    p.add_argument("--year-to", type=int, metavar="YEAR", help="only papers published up to YEAR")
    p.add_argument("--tag", action="append", dest="tags", default=[], metavar="TAG",
                   help="only papers with this Zotero tag (repeat: all of them)")


def _endpoint_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--endpoint", metavar="URL", help="answer with the model on this "
                   "OpenAI-compatible server, e.g. http://lab-server:8000/v1 (passages are "
                   "sent there; retrieval and citations stay here)")
    p.add_argument("--endpoint-model", metavar="NAME",
                   help="model name on that server (default: the settings', or the only one)")
    p.add_argument("--judge", choices=("auto", "on", "off"),
                   help="the chat model judges whether the sentence shown states what was asked "
                        "(auto, the default: for a model server or a GGUF of 1B+ parameters)")


def _passages(text: str) -> int:
    """--k: a whole number of passages within the range the settings allow."""
    try:
        k = int(text)
    except ValueError:
        k = 0
    if not 1 <= k <= MAX_K:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_K}, not {text!r}")
    return k


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _configure_logging(args.verbose)
    settings = None
    try:
        settings = Settings.load(library=args.library)
        if getattr(args, "model", None) and getattr(args, "endpoint", None):
            print("lantern: use --model or --endpoint, not both", file=sys.stderr)
            return EXIT_USAGE
        if getattr(args, "model", None):
            settings = settings.replace(
                llm={"model_path": args.model.expanduser().absolute()}, remote={"enabled": False}
            )
        if getattr(args, "judge", None):
            settings = settings.replace(answers={"judge": args.judge})
        if getattr(args, "ocr", None):
            settings = settings.replace(ocr={"mode": args.ocr})
        if getattr(args, "ocr_language", None):
            try:
                settings = settings.replace(ocr={"language": args.ocr_language})
            except SettingsError as exc:
                raise SettingsError(f"--ocr-language {args.ocr_language!r}: use Tesseract codes "
                                    "such as eng, deu or eng+deu") from exc
        if getattr(args, "endpoint", None) or getattr(args, "endpoint_model", None):
            settings = settings.replace(
                remote=_endpoint(settings.remote, args.endpoint, args.endpoint_model)
            )
        if args.command == "models":
            from core.cli.papers import cmd_models

            return cmd_models(settings, args)
        if args.command == "verify" and args.papers is not None:  # a reviewer needs no library
            from core.cli.verify import cmd_verify

            return cmd_verify(None, args)
        if args.command == "demo" and args.library is None and not os.environ.get("LANTERN_LIBRARY"):
            settings = settings.replace(library=settings.library.parent / "demo-library")
        # doctor opens a damaged library to rebuild it; every other command refuses it
        with Library(settings, verbose=args.verbose, repair=args.command == "doctor") as lib:
            for notice in lib.notices:  # what opening the library found and repaired
                print(f"lantern: {printable(notice)}", file=sys.stderr)
            lib.on_notice = lambda text: print(f"lantern: {printable(text)}", file=sys.stderr)
            return command(args.command)(lib, args)
    except LanternError as exc:
        print(f"lantern: {printable(str(exc))}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:
        where = settings.library if settings is not None else "the library"
        if (damage := as_damage(exc, where)) is None:
            raise
        print(f"lantern: {printable(str(damage))}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("lantern: interrupted; run the same command again to continue", file=sys.stderr)
        return 130


def _endpoint(remote: RemoteSettings, url: str | None, model: str | None) -> RemoteSettings:
    """The settings' model server with --endpoint/--endpoint-model applied; another address
    than the configured one takes neither its model name nor its key."""
    if url is None and not remote.url:
        raise SettingsError("--endpoint-model needs --endpoint URL (or a server in Settings)")
    try:
        changes: dict = {"enabled": True}
        if url is not None and (url := RemoteSettings(url=url).url) != remote.url:
            # another server: the configured model name and key are not for it
            changes.update(url=url, model="", api_key_env=None)
        if model is not None:
            changes["model"] = model
        return RemoteSettings.model_validate({**remote.model_dump(), **changes})
    except ValidationError as exc:
        raise SettingsError(f"--endpoint: {exc.errors()[0]['msg'].removeprefix('Value error, ')}"
                            ) from exc


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not verbose:  # third-party noise only when asked for
        for name in ("pypdf", "sentence_transformers", "transformers", "torch", "httpx"):
            logging.getLogger(name).setLevel(logging.ERROR)


# command -> the module that runs it: imported when run, so that `lantern list` does not load
# what asking or extracting needs (start-up time; bench/scale.py times `list`)
COMMANDS = {
    "add": "papers",
    "index": "papers",
    "list": "papers",
    "show": "papers",
    "remove": "papers",
    "doctor": "papers",
    "ask": "ask",
    "demo": "ask",
    "extract": "extract",
    "verify": "verify",
}


def command(name: str) -> Callable[[Library, argparse.Namespace], int]:
    """The function that runs `lantern NAME`: cmd_NAME in its module."""
    module = importlib.import_module(f"core.cli.{COMMANDS[name]}")
    run: Callable[[Library, argparse.Namespace], int] = getattr(module, f"cmd_{name}")
    return run


__all__ = ["COMMANDS", "command", "EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]
