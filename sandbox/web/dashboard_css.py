"""The dashboard's stylesheet, inlined into the page (no external assets)."""

CSS = """
:root { --ink: #172033; --muted: #5f6b80; --line: #e3e8f0; --bg: #f3f5f9; --panel: #fff; --brand: #2450d4;
  --brand-dark: #1b3ea8; --navy: #101828; --ok: #0f7a4b; --ok-bg: #e6f6ee; --warn: #9a5b00; --warn-bg: #fff3dc;
  --bad: #b42318; --bad-bg: #fdeceb; --info: #2450d4; --info-bg: #e9efff; --grey-bg: #eef1f6; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header { background: var(--navy); color: #e6eaf2; padding: 11px 28px; display: flex; align-items: center;
  gap: 14px; flex-wrap: wrap; position: sticky; top: 0; z-index: 5; }
header h1 { font-size: 17px; margin: 0; color: #fff; font-weight: 650; letter-spacing: .01em; }
header .pill { background: rgba(255, 255, 255, .1); border-radius: 999px; padding: 3px 12px; font-size: 13px; }
header .pill b { color: #fff; font-weight: 600; }
header .spacer { flex: 1; }
header .group { display: flex; gap: 6px; align-items: center; }
header .label { font-size: 12px; color: #9aa5b8; margin-right: 2px; }
button { font: inherit; font-weight: 600; border-radius: 8px; padding: 6px 12px; cursor: pointer;
  border: 1px solid #cfd6e2; background: #fff; color: var(--ink); }
button:hover { background: #f5f7fb; }
button:disabled { opacity: .55; cursor: progress; }
button.primary { background: var(--brand); border-color: var(--brand); color: #fff; }
button.primary:hover { background: var(--brand-dark); }
header button { background: rgba(255, 255, 255, .08); border-color: rgba(255, 255, 255, .18); color: #fff;
  padding: 5px 10px; font-size: 13px; }
header button:hover { background: rgba(255, 255, 255, .18); }
header button.danger { border-color: #f97066; color: #ffd7d3; }
main { max-width: 1440px; margin: 0 auto; padding: 20px 28px 48px; }
.token { background: var(--panel); border: 1px solid var(--line); border-radius: 12px; padding: 16px 18px;
  margin-bottom: 18px; display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
.token input { font: inherit; padding: 7px 10px; border: 1px solid #cfd6e2; border-radius: 8px; }
.token input[name=token] { flex: 1; min-width: 280px; font-family: ui-monospace, SFMono-Regular, Menlo, monospace;
  font-size: 12px; }
.token .hint { color: var(--muted); width: 100%; margin: 0; font-size: 13px; }
.toast { border-radius: 10px; padding: 10px 14px; margin-bottom: 16px; font-weight: 500; }
.toast.ok { background: var(--ok-bg); color: var(--ok); }
.toast.bad { background: var(--bad-bg); color: var(--bad); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; margin-bottom: 18px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 12px; padding: 12px 16px; }
.card .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .05em; }
.card .v { font-size: 22px; font-weight: 700; margin-top: 2px; }
.card .s { color: var(--muted); font-size: 12px; }
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; align-items: start; }
.wide { grid-column: 1 / -1; }
@media (max-width: 1000px) { .grid { grid-template-columns: minmax(0, 1fr); } }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 12px; overflow: hidden; }
section > h2 { font-size: 14px; margin: 0; padding: 11px 16px; border-bottom: 1px solid var(--line);
  display: flex; justify-content: space-between; align-items: baseline; }
section > h2 small { color: var(--muted); font-weight: 500; }
.scroll { max-height: 340px; overflow: auto; }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th { position: sticky; top: 0; background: #f8fafc; text-align: left; font-weight: 600; color: var(--muted);
  font-size: 12px; padding: 7px 10px; border-bottom: 1px solid var(--line); white-space: nowrap; }
td { padding: 7px 10px; border-bottom: 1px solid #f0f2f6; vertical-align: middle; white-space: nowrap; }
td.text { max-width: 280px; overflow: hidden; text-overflow: ellipsis; }
tr:last-child td { border-bottom: 0; }
tbody tr:hover { background: #fafbfd; }
tr.selected { background: var(--info-bg) !important; }
tr.clickable { cursor: pointer; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.neg { color: var(--bad); }
.pos { color: var(--ok); }
.muted { color: var(--muted); }
.empty { color: var(--muted); padding: 14px 16px; margin: 0; }
.badge { display: inline-block; border-radius: 999px; padding: 1px 9px; font-size: 11px; font-weight: 650;
  letter-spacing: .03em; background: var(--grey-bg); color: #3d4a5f; }
.badge.ok { background: var(--ok-bg); color: var(--ok); }
.badge.warn { background: var(--warn-bg); color: var(--warn); }
.badge.bad { background: var(--bad-bg); color: var(--bad); }
.badge.info { background: var(--info-bg); color: var(--info); }
.badge.has-info { cursor: help; text-decoration: underline dotted; text-underline-offset: 2px; }
.sim { display: flex; gap: 4px; }
.sim button, td a.act { font-size: 11px; padding: 2px 8px; border-radius: 6px; font-weight: 600; }
td a.act { border: 1px solid #cfd6e2; color: var(--brand); text-decoration: none; display: inline-block; }
td a.act:hover { background: var(--info-bg); }
.filter { display: inline-flex; gap: 8px; align-items: center; background: var(--info-bg); color: var(--info);
  border-radius: 999px; padding: 3px 6px 3px 12px; margin-bottom: 14px; font-weight: 600; }
.filter button { padding: 0 8px; border-radius: 999px; font-size: 12px; }
footer { color: var(--muted); font-size: 12px; margin-top: 22px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
"""
