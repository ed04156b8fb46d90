import type { JSX } from 'solid-js';
import { t } from '../i18n/i18n';

/** Pages of the grid when more people are in than fit: Previous page, "Page 2 of 3", Next page. */
export function Pager(props: { page: number; pages: number; onPage(page: number): void }): JSX.Element {
  return (
    <nav class="pager" aria-label={t('pager.label')}>
      <button class="btn btn-small" aria-label={t('pager.previous')} disabled={props.page === 0} onClick={() => props.onPage(props.page - 1)}>
        ‹
      </button>
      <span aria-live="polite">
        {t('pager.page', { page: props.page + 1, pages: props.pages })}
      </span>
      <button class="btn btn-small" aria-label={t('pager.next')} disabled={props.page >= props.pages - 1} onClick={() => props.onPage(props.page + 1)}>
        ›
      </button>
    </nav>
  );
}
