// Click a header of a sortable table: numbers sort largest first, text A–Z; again reverses; empty cells stay last.
// A table's fold filter (data-table) shows all its rows, or those of one outer fold (data-fold).
// A segmentation gallery's filter shows all its cases, or those of one outcome (data-outcome: missed, false-detection).
// Then the shared image store (an exported file) fills the gallery images.
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
    table.querySelectorAll('tbody tr[data-fold]').forEach(r => { r.hidden = shown !== 'all' && r.dataset.fold !== shown; });
  }));
});
const store = document.getElementById('nachos-images');
if (store) {
  const images = JSON.parse(store.textContent);
  document.querySelectorAll('img[data-image]').forEach(img => { img.src = 'data:image/png;base64,' + images[img.dataset.image]; });
}
