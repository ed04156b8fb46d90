import type { JSX } from 'solid-js';

/** Pages of the grid when more people are in than fit: Previous page, "Page 2 of 3", Next page. */
export function Pager(props: { page: number; pages: number; onPage(page: number): void }): JSX.Element {
  return (
    <nav class="pager" aria-label="Pages of people">
      <button class="btn btn-small" aria-label="Previous page" disabled={props.page === 0} onClick={() => props.onPage(props.page - 1)}>
        ‹
      </button>
      <span aria-live="polite">
        Page {props.page + 1} of {props.pages}
      </span>
      <button class="btn btn-small" aria-label="Next page" disabled={props.page >= props.pages - 1} onClick={() => props.onPage(props.page + 1)}>
        ›
      </button>
    </nav>
  );
}
