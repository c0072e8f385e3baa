// Click a header of a sortable table: numbers sort largest first, text A–Z; again reverses; empty cells stay last.
// A table's fold filter (data-table) shows all its rows, or those of one outer fold (data-fold).
// A table with data-page-size shows that many of its (filtered, sorted) rows at a time, with a pager below it;
// printed, it shows them all.
// A segmentation gallery's filter shows all its cases, or those of one outcome (data-outcome: missed, false-detection).
// Then the shared image store (an exported file) fills the gallery images, the table of contents lists the page's
// sections, and a live page (body[data-live]) fetches itself every few seconds and replaces its main#live in place.
const pages = new Map();
function showRows(table, page, all = false) {
  const rows = Array.from(table.tBodies[0].rows);
  const kept = rows.filter(r => r.dataset.out !== 'true');
  rows.forEach(r => { r.hidden = r.dataset.out === 'true'; });
  const pager = pages.get(table);
  if (!pager) return;
  const size = Number(table.dataset.pageSize);
  const count = Math.max(1, Math.ceil(kept.length / size));
  pager.page = Math.min(Math.max(0, page), count - 1);
  if (!all) kept.forEach((r, i) => { r.hidden = Math.floor(i / size) !== pager.page; });
  const first = pager.page * size;
  const button = (label, to, disabled) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.disabled = disabled;
    b.addEventListener('click', () => showRows(table, to));
    return b;
  };
  pager.element.hidden = count === 1;
  pager.element.replaceChildren(button('previous', pager.page - 1, pager.page === 0), ' ',
    `rows ${kept.length === 0 ? 0 : first + 1}–${Math.min(first + size, kept.length)} of ${kept.length} (page ${pager.page + 1} of ${count})`, ' ',
    button('next', pager.page + 1, pager.page === count - 1));
}
document.querySelectorAll('table[data-page-size]').forEach(table => {
  const element = document.createElement('p');
  element.className = 'filter pager';
  element.id = table.id + '-pager';
  (table.closest('.scroll') ?? table).after(element);
  pages.set(table, { element, page: 0 });
  showRows(table, 0);
});
addEventListener('beforeprint', () => pages.forEach((p, table) => showRows(table, p.page, true)));
addEventListener('afterprint', () => pages.forEach((p, table) => showRows(table, p.page)));
document.querySelectorAll('table.sortable').forEach(table => {
  table.querySelectorAll('thead th').forEach((th, col) => {
    th.tabIndex = 0;
    const sort = () => {
      const numeric = th.dataset.type === 'number';
      const current = th.getAttribute('aria-sort');
      const descending = current ? current === 'ascending' : numeric;
      table.querySelectorAll('thead th').forEach(h => h.removeAttribute('aria-sort'));
      th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
      const body = table.tBodies[0];
      const key = row => { const c = row.cells[col]; return c.dataset.value ?? c.textContent.trim(); };
      const rows = Array.from(body.rows).sort((a, b) => {
        const x = key(a), y = key(b);
        if (x === '' || y === '') return (x === '') - (y === '');
        const order = numeric ? Number(x) - Number(y) : x.localeCompare(y, undefined, { numeric: true });
        return descending ? -order : order;
      });
      rows.forEach(r => body.appendChild(r));
      showRows(table, 0);
    };
    th.addEventListener('click', sort);
    th.addEventListener('keydown', e => { if (e.key === 'Enter') sort(); });
  });
});
document.querySelectorAll('.filter[data-gallery]').forEach(filter => {
  const gallery = document.getElementById(filter.dataset.gallery);
  filter.querySelectorAll('button[data-filter]').forEach(button => button.addEventListener('click', () => {
    const shown = button.dataset.filter;
    filter.querySelectorAll('button[data-filter]').forEach(b => b.setAttribute('aria-pressed', b === button ? 'true' : 'false'));
    gallery.querySelectorAll('figure[data-outcome]').forEach(f => { f.hidden = shown !== 'all' && f.dataset.outcome !== shown; });
  }));
});
document.querySelectorAll('.filter[data-table]').forEach(filter => {
  const table = document.getElementById(filter.dataset.table);
  filter.querySelectorAll('button[data-fold]').forEach(button => button.addEventListener('click', () => {
    const shown = button.dataset.fold;
    filter.querySelectorAll('button[data-fold]').forEach(b => b.setAttribute('aria-pressed', b === button ? 'true' : 'false'));
    table.querySelectorAll('tbody tr[data-fold]').forEach(r => { r.dataset.out = shown !== 'all' && r.dataset.fold !== shown ? 'true' : ''; });
    showRows(table, 0);
  }));
});
const store = document.getElementById('nachos-images');
if (store) {
  const images = JSON.parse(store.textContent);
  document.querySelectorAll('img[data-image]').forEach(img => { img.src = 'data:image/png;base64,' + images[img.dataset.image]; });
}
const toc = document.getElementById('toc');
if (toc) {
  const list = document.createElement('ol');
  document.querySelectorAll('h2[id]').forEach(h => {
    const link = document.createElement('a');
    link.href = '#' + h.id;
    link.textContent = h.textContent;
    list.appendChild(document.createElement('li')).appendChild(link);
  });
  toc.appendChild(list);
}
if (document.body.dataset.live) {
  // One update at a time, the next one a period after the last ended, so a slow node is not asked again and again.
  // A page that stopped being live (the study ended) or asks for a log-in again is loaded whole, once.
  const period = Number(document.body.dataset.live) * 1000;
  const update = async () => {
    if (document.hidden) return true;
    let next;
    try {
      const response = await fetch(location.href, { cache: 'no-store', headers: { Accept: 'text/html' } });
      if (response.status === 401 || response.redirected) { location.reload(); return false; }
      if (!response.ok) return true;
      next = new DOMParser().parseFromString(await response.text(), 'text/html');
    } catch { return true; } // the node did not answer: try again at the next tick
    const part = next.getElementById('live');
    if (!next.body.dataset.live || !part) { location.reload(); return false; }
    document.title = next.title;
    const current = document.getElementById('live');
    if (current.innerHTML !== part.innerHTML) current.replaceChildren(...Array.from(part.childNodes, n => document.importNode(n, true)));
    return true;
  };
  const tick = async () => {
    let again = true;
    try { again = await update(); } catch { } // a page it could not read: try again at the next tick
    if (again) setTimeout(tick, period);
  };
  setTimeout(tick, period);
}
