/** The dashboard's stylesheet: readable from a 420 px phone to a 1366x768 laptop, light and dark by the system setting. */
export const DASHBOARD_CSS = `
:root { --bg: #f6f7f9; --card: #fff; --fg: #1d2330; --muted: #5f6b7a; --ok: #1a7f37; --bad: #c62828; --line: #d8dde3; --accent: #2f6fdd; }
@media (prefers-color-scheme: dark) { :root { --bg: #14171c; --card: #1d2229; --fg: #e6e9ee; --muted: #9aa5b1; --line: #333b45; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--fg); }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px; padding: 10px 20px; border-bottom: 1px solid var(--line); background: var(--card); }
header h1 { font-size: 18px; margin: 0; }
header .status { color: var(--muted); margin-left: auto; }
header .status.error { color: var(--bad); }
.banner { margin: 0 1rem; padding: .6rem 1rem; border-radius: 6px; background: #fff4d6; border: 1px solid #e0b400; color: #5c4400; }
.banner.down { background: #fde2e1; border-color: var(--bad); color: #7a1410; }
header .picker { color: var(--muted); }
header select { font: inherit; color: var(--fg); background: var(--card); border: 1px solid var(--line); border-radius: 4px; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(620px, 100%), 1fr)); gap: 14px; padding: 14px 20px; }
section.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; min-width: 0; }
section.card h2 { font-size: 16px; margin: 0 0 4px; display: flex; flex-wrap: wrap; gap: 10px; align-items: center; }
.why { margin: 0 0 6px; color: var(--muted); font-size: 13px; }
.badge { font-size: 12px; padding: 2px 8px; border-radius: 10px; color: #fff; background: var(--muted); }
.badge.met { background: var(--ok); } .badge.breached { background: var(--bad); }
.stats { display: grid; grid-template-columns: repeat(auto-fill, minmax(104px, 1fr)); gap: 6px; margin-bottom: 8px; }
.stat { border: 1px solid var(--line); border-radius: 6px; padding: 4px 6px; min-width: 0; }
.stat .label { color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: .03em; }
.stat .value { font-size: 15px; font-variant-numeric: tabular-nums; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(280px, 100%), 1fr)); gap: 8px; }
.chart { min-width: 0; overflow: hidden; }
.chart h3, .card h3 { font-size: 12px; color: var(--muted); margin: 6px 0 2px; font-weight: 600; }
.phases { display: flex; height: 22px; border-radius: 4px; overflow: hidden; border: 1px solid var(--line); }
.phases div { height: 100%; min-width: 2px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 12px; font-size: 12px; color: var(--muted); margin-top: 4px; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
.scroll { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
td.message { overflow-wrap: anywhere; }
.empty { color: var(--muted); font-style: italic; }
td.verdict.met { color: var(--ok); } td.verdict.breached { color: var(--bad); }
.failures { padding-left: 18px; overflow-wrap: anywhere; }
.failures li { color: var(--bad); }
.failures li.empty { color: var(--muted); }
.no-chart { height: 190px; margin: 0; display: flex; align-items: center; justify-content: center; border: 1px dashed var(--line); border-radius: 6px; }
.wide { grid-column: 1 / -1; }
`;
