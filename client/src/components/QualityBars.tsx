import type { JSX } from 'solid-js';
import { t } from '../i18n/i18n';
import type { QualityGrade } from '../media/stats/link-quality';

const LIT: Record<QualityGrade, number> = { good: 3, fair: 2, poor: 1 };

/** Three signal bars, as lit as the connection is good; the figures are in the tooltip. */
export function QualityBars(props: { grade: QualityGrade; summary: string }): JSX.Element {
  return (
    <span class={`quality quality-${props.grade}`} role="img" aria-label={t('tile.connection', { grade: t(`quality.${props.grade}`) })} title={props.summary}>
      <svg width="14" height="12" viewBox="0 0 14 12" aria-hidden="true">
        {[0, 1, 2].map((i) => (
          <rect x={i * 5} y={8 - i * 4} width="3.5" height={4 + i * 4} rx="1" class={i < LIT[props.grade] ? 'lit' : 'unlit'} />
        ))}
      </svg>
    </span>
  );
}
