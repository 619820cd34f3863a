"""The frame of every hosted page: one self-contained document with inline CSS and no external assets."""

from __future__ import annotations

from elevate_sandbox.web.html import Html, render

CSS = """
:root { --ink: #172033; --muted: #5c667a; --line: #e2e7ef; --bg: #f3f5f9; --brand: #2450d4;
  --brand-dark: #1b3ea8; --ok: #0f7a4b; --ok-bg: #e8f6ef; --bad: #b42318; --bad-bg: #fdecea;
  --warn: #a15c07; --warn-bg: #fff4e0; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
.bar { background: #101828; color: #e6eaf2; padding: 10px 24px; font-size: 13px; letter-spacing: .02em; }
.bar strong { color: #fff; }
.card { max-width: 540px; margin: 48px auto; background: #fff; border: 1px solid var(--line);
  border-radius: 14px; padding: 28px 32px 32px; box-shadow: 0 8px 24px rgba(16, 24, 40, .06); }
.eyebrow { color: var(--muted); font-size: 13px; text-transform: uppercase; letter-spacing: .06em; margin: 0; }
h1 { font-size: 22px; margin: 4px 0 16px; }
.amount { font-size: 36px; font-weight: 700; letter-spacing: -.01em; margin: 4px 0 20px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 8px 20px; margin: 0 0 24px;
  padding: 16px 0; border-top: 1px solid var(--line); border-bottom: 1px solid var(--line); }
dt { color: var(--muted); }
dd { margin: 0; font-weight: 500; word-break: break-word; }
.actions { display: flex; gap: 12px; flex-wrap: wrap; }
button, .button { font: inherit; font-weight: 600; border-radius: 9px; padding: 11px 20px; cursor: pointer;
  border: 1px solid transparent; text-decoration: none; display: inline-block; }
.primary { background: var(--brand); color: #fff; }
.primary:hover { background: var(--brand-dark); }
.secondary { background: #fff; color: var(--ink); border-color: #cfd6e2; }
.secondary:hover { background: #f6f8fb; }
.danger { background: #fff; color: var(--bad); border-color: #f1b8b2; }
.notice { border-radius: 10px; padding: 14px 16px; margin: 0 0 20px; font-weight: 500; }
.notice.ok { background: var(--ok-bg); color: var(--ok); }
.notice.bad { background: var(--bad-bg); color: var(--bad); }
.notice.warn { background: var(--warn-bg); color: var(--warn); }
.fine { color: var(--muted); font-size: 13px; margin: 20px 0 0; }
"""


def page(title: str, body: Html, status: str = "") -> Html:
    """A complete HTML document around ``body``, titled ``title``."""
    return render(
        '<!doctype html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex"><link rel="icon" href="data:,">'
        "<title>{title}</title><style>{css}</style></head>"
        '<body data-status="{status}"><div class="bar"><strong>Elevate sandbox</strong> · a simulated provider '
        'page: no real money moves</div><main class="card">{body}</main></body></html>\n',
        title=title,
        css=Html(CSS),
        status=status,
        body=body,
    )


def notice(tone: str, text: str) -> Html:
    """A coloured message: ok, bad or warn."""
    return render('<p class="notice {tone}" role="status">{text}</p>', tone=tone, text=text)


def error_page(title: str, message: str) -> Html:
    """A page saying what went wrong, for refusals and unknown links."""
    body = render(
        '<p class="eyebrow">Something went wrong</p><h1>{title}</h1>{notice}',
        title=title,
        notice=notice("bad", message),
    )
    return page(title, body, status="error")
