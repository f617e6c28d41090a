import type { NewAlert } from '@sbx/store';

/** An alert as the webhook receives it (a stored alert with its time). */
export interface AlertNotice extends NewAlert {
  id?: number;
  createdAt: string;
}
