"""Answers as the rich text a QTextBrowser shows: the verified finding first, [n] as links, the
model's draft collapsed behind a link.

Pure functions over core's data, so they are easy to test. Links use the schemes
``cite:TURN:N`` (citation N of turn TURN; ``cite:TURN:N:K`` the K-th of the answer's citations,
0-based, where passage N gives several quotes), ``evidence:TURN:I`` (passage I, 0-based),
``draft:TURN`` (show or hide a turn's draft) and ``widen:TURN`` (ask it of every paper).
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Sequence

from core import OCR_LABEL, highlights, printable
from core.types import Answer, Citation
from desktop.quotes import snippet

ABSTAIN_TEXT = "Not reported in the selected papers."
AMBER = "#fde7b0"

STYLE = f"""
body {{ color: #1f2328; }}
p {{ margin-top: 0px; margin-bottom: 8px; line-height: 140%; }}
a {{ color: #0a58ca; text-decoration: none; }}
.q {{ font-weight: 600; font-size: large; color: #1f2328; margin-top: 14px; }}
.meta {{ color: #6e7781; font-size: small; }}
.src {{ color: #424a53; }}
.hint {{ color: #424a53; }}
.warn {{ background-color: {AMBER}; }}
.finding {{ font-size: medium; margin-bottom: 6px; }}
.draft {{ color: #57606a; }}
h2 {{ font-weight: 600; margin-bottom: 6px; }}
"""

def plain_rich(text: str) -> str:
    """Rich text that shows `text` exactly as written, for tooltips, labels and dialogs.

    Qt renders a string as HTML when it merely looks like HTML (Qt::mightBeRichText), so a
    paper titled '<img width=3000>' would draw a 3,000 px tooltip. Escaping alone is not
    enough (plain text would show '&lt;'): the escaped text is wrapped in <qt> to be read
    as rich text. Line breaks are kept; other controls and undecodable bytes are escaped.
    """
    lines = (html.escape(printable(line), quote=False) for line in text.split("\n"))
    return "<qt>" + "<br>".join(lines) + "</qt>"


_MARKERS = re.compile(r"\[(\d+(?:\s*[,;–-]\s*\d+)*)\]")


def _numbers(group: str) -> list[int]:
    """'1, 3' -> [1, 3]; '2-4' -> [2, 3, 4]."""
    out: list[int] = []
    for part in re.split(r"\s*[,;]\s*", group):
        bounds = re.split(r"\s*[–-]\s*", part)
        if (
            len(bounds) == 2
            and all(b.isdigit() for b in bounds)
            and int(bounds[1]) - int(bounds[0]) < 20
        ):
            out.extend(range(int(bounds[0]), int(bounds[1]) + 1))
        elif part.isdigit():
            out.append(int(part))
    return out


def _cite_links(n_list: Sequence[int], turn: int, titles: dict[int, str],
                which: dict[int, int] | None = None) -> str:
    links = []
    for n in n_list:
        tip = html.escape(titles.get(n, f"Passage {n}"), quote=True)
        k = f":{which[n]}" if which and n in which else ""
        links.append(f'<a href="cite:{turn}:{n}{k}" title="{tip}">{n}</a>')
    return "<sup>[" + ", ".join(links) + "]</sup>"


def linkify(text: str, turn: int, titles: dict[int, str] | None = None,
            which: dict[int, int] | None = None) -> str:
    """Escape ``text`` and turn its [n] markers into citation links (to the answer's citation
    `which[n]` where a passage gives several quotes)."""
    titles = titles or {}
    out, last = [], 0
    for m in _MARKERS.finditer(text):
        out.append(html.escape(text[last : m.start()]))
        out.append(_cite_links(_numbers(m.group(1)), turn, titles, which))
        last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out).replace("\n", "<br>")


def _supporting(citations: Sequence[Citation], sentence: str) -> dict[int, int]:
    """For each passage that gives several quotes, the one a checked sentence rests on: the
    quote sharing most of its words (its index among the citations)."""
    words = set(_WORD.findall(sentence.lower()))
    best: dict[int, tuple[int, int]] = {}
    for k, c in enumerate(citations):
        shared = len(words & set(_WORD.findall(c.quote.lower())))
        if c.n not in best or shared > best[c.n][0]:
            best[c.n] = (shared, k)
    several = {c.n for c in citations if sum(d.n == c.n for d in citations) > 1}
    return {n: k for n, (_, k) in best.items() if n in several}


_WORD = re.compile(r"\w+")


def _titles(citations: Sequence[Citation]) -> dict[int, str]:
    return {c.n: f"{c.title}, {c.pages}" for c in citations}


def emphasised(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """Escape ``text`` with the given character spans in bold (the answering words)."""
    out, last = [], 0
    for a, b in sorted(spans):
        if a < last:
            continue
        out.append(html.escape(text[last:a]))
        out.append(f"<b>{html.escape(text[a:b])}</b>")
        last = b
    out.append(html.escape(text[last:]))
    return "".join(out)


def finding(answer: Answer, turn: int) -> str:
    """The verified finding: each cited sentence from the papers, its answering words in bold,
    with paper and page (a link that opens the page)."""
    rows = []
    for k, c in enumerate(answer.citations):
        quote = " ".join(c.quote.split())
        shown = snippet(quote, 400)
        spans = highlights(answer.question, shown)
        rows.append(
            f'<p class="finding">“{emphasised(shown, spans)}”<br>'
            f'<span class="src">— <a href="cite:{turn}:{c.n}:{k}">[{c.n}] '
            f"{html.escape(snippet(c.title, 90))}, {c.pages.replace(' ', '&nbsp;')}"
            f"{html.escape(OCR_LABEL) if c.ocr else ''}</a></span></p>"
        )
    return "".join(rows)


def answer_body(answer: Answer, turn: int) -> str:
    """What is proven, first: the verified finding, then the model's sentences that passed
    the check. Nothing unverified is shown here (see draft_html)."""
    if answer.abstained:
        said = answer.answer.strip() if answer.answer.startswith("Not reported in ") else ""
        return (
            '<table width="100%" cellpadding="10" style="background-color:#eef1f4;'
            ' border: 1px solid #d0d7de;"><tr><td>'
            f"<b>{html.escape((said or ABSTAIN_TEXT)[:-1])}</b><br>"
            '<span class="meta">Lantern found no passage that answers this. '
            "The closest passages are listed under Evidence.</span></td></tr></table>"
        )
    titles = _titles(answer.citations)
    if not answer.citations:  # an answer without a verified source (e.g. retrieval only)
        return f"<p>{linkify(answer.answer.strip(), turn, titles)}</p>"
    parts = [finding(answer, turn)]
    checked = [s for s in answer.sentences if s.supported]
    if answer.mode == "generated" and checked:
        words: list[str] = []
        for s in checked:
            which = _supporting(answer.citations, s.text)
            body = linkify(s.text.strip(), turn, titles, which)
            if s.cites and not _MARKERS.search(s.text):
                body += _cite_links(s.cites, turn, titles, which)
            words.append(body)
        parts.append('<p><span class="meta">In the model\'s words (checked against the '
                     "source):</span> " + " ".join(words) + "</p>")
    return "".join(parts)


def draft_html(answer: Answer, turn: int, *, shown: bool) -> str:
    """The model's unchecked draft behind a link, collapsed unless ``shown``; its sentences
    that failed the check are marked, with why in a tooltip."""
    drafted = answer.sentences  # the draft's sentences, as checked
    unverified = [s for s in drafted if not s.supported]
    if not (unverified or (answer.mode == "quoted" and answer.draft.strip())):
        return ""
    arrow, verb = ("▾", "Hide") if shown else ("▸", "Show")
    link = f'<p class="meta"><a href="draft:{turn}">{arrow} {verb} the model\'s draft</a></p>'
    if not shown:
        return link
    parts = []
    for s in drafted:
        body = linkify(s.text.strip(), turn)
        if not s.supported:
            reason = s.reason or "no cited passage supports it"
            tip = html.escape(f"Not verified against the cited passages: {reason}", quote=True)
            body = f'<span class="warn" title="{tip}">{body}</span>'
        parts.append(body)
    text = " ".join(parts) if parts else linkify(answer.draft.strip(), turn)
    return link + f'<p class="draft">{text}</p>'


def scope_line(answer: Answer, turn: int) -> str:
    """'Scope: RoBERTa, from your question', with one click to ask every paper instead; and
    how many papers were searched by keyword only (their vectors were still to come)."""
    line = ""
    if answer.auto_scope:
        line = (
            f'<p class="meta">Scope: <b>{html.escape(answer.auto_scope)}</b>, from your '
            f'question · <a href="widen:{turn}">Ask all papers instead</a></p>'
        )
    if n := answer.keyword_only:
        line += (f'<p class="meta">Keyword search only for {n} paper{"s" if n != 1 else ""}: '
                 f'{"their" if n != 1 else "its"} vectors were still being computed.</p>')
    return line


def meta_line(answer: Answer) -> str:
    bits = []
    if answer.model:
        bits.append(html.escape(answer.model))
    if answer.judged and answer.judge and answer.judge != answer.model:
        bits.append(f"judged by {html.escape(answer.judge)}")  # the judge model's word stands
    if answer.timings.total_s:
        bits.append(f"{answer.timings.total_s:.1f} s")
    return f'<p class="meta">{" · ".join(bits)}</p>' if bits else ""


def turn_html(answer: Answer, turn: int, *, show_draft: bool = False) -> str:
    return (
        f'<p class="q">{html.escape(answer.question)}</p>'
        + scope_line(answer, turn)
        + answer_body(answer, turn)
        + draft_html(answer, turn, shown=show_draft)
        + meta_line(answer)
    )


def pending_html(question: str, text: str, turn: int, status: str) -> str:
    """A turn whose answer is still streaming in."""
    body = linkify(text.lstrip(), turn) if text.strip() else ""
    cursor = ' <span class="meta">▍</span>' if status else ""
    note = f'<p class="meta">{html.escape(status)}</p>' if status else ""
    # the draft as it is written, dimmed: nothing of it counts until it passes the check
    return f'<p class="q">{html.escape(question)}</p>{note}<p class="draft">{body}{cursor}</p>'


def error_html(question: str, message: str) -> str:
    """A question that got no answer, and why (no model, out of memory, ...)."""
    return (
        f'<p class="q">{html.escape(question)}</p><table width="100%" cellpadding="10" '
        'style="background-color:#fdecea; border:1px solid #f5c2c0;"><tr><td>'
        f"<b>Could not answer.</b> {html.escape(message)}</td></tr></table>"
    )


def transcript_html(
    answers: Sequence[Answer], pending: str = "", *, drafts: Collection[int] = ()
) -> str:
    """Every turn; the drafts of the turns in ``drafts`` are shown, the others collapsed."""
    turns = [turn_html(a, i, show_draft=i in drafts) for i, a in enumerate(answers)]
    if pending:
        turns.append(pending)
    return "<hr>".join(turns)


def citation_tip_html(title: str, pages: str, quote: str) -> str:
    """Citation [n]'s tooltip: the paper, its page(s) ("p. 5", "pp. 5–6") and the quoted words
    (rich text, so it wraps)."""
    return (
        f"<p><b>{html.escape(title)}</b>, {pages}</p>"
        f"<p><i>“{html.escape(snippet(quote, 400))}”</i></p>"
        "<p style='color:#57606a'>Click to open the page with these words highlighted</p>"
    )


def welcome_html(*, model: str | None, papers: int, adding: bool = False) -> str:
    """What the empty answer area says: how to ask, add papers and get a better model; while
    papers are being added to an empty library it says so, not "Your library is empty"."""
    if adding and not papers:
        return (
            "<h2>Ask your papers</h2><p class='hint'>Adding papers to your library… "
            "The bar at the bottom of the window shows each file as it is read; you can "
            "ask as soon as the first one is in.</p>"
        )
    have = (
        f"Your library has <b>{papers}</b> paper{'s' if papers != 1 else ''}. "
        "Type a question below and press <b>Ctrl+Enter</b>."
        if papers
        else "Your library is empty."
    )
    model_line = f"The current model is <b>{html.escape(model)}</b>. " if model else ""
    return f"""
<h2>Ask your papers</h2>
<p class="hint">{have} Answers cite the paper, page and the exact words they rest on;
click a citation to open the page with the passage highlighted.</p>
<p class="hint"><b>Add papers</b> — drag PDFs or whole folders anywhere onto this window,
or press <b>Ctrl+O</b>. Everything stays on this computer.</p>
<p class="hint"><b>Get better answers</b> — {model_line}The built-in model is tiny and meant for
trying Lantern out. Drop any instruct model in GGUF format onto the window (for example a
3–8B model quantised as Q4_K_M) and Lantern offers to switch to it; Settings lists the
models it knows.</p>
<p class="hint"><b>Scope</b> — select papers in the library to ask only those;
with none selected, Lantern searches all of them.</p>
"""


def evidence_title(n: int, *, abstained: bool) -> str:
    """The title over an answer's passages."""
    if abstained:
        return f"Closest passages ({n}) — none of them answers the question"
    return f"Evidence · {n} passage{'s' if n != 1 else ''}"
