// Create a poll: a question and 2–12 distinct options (the API's rule, checked before sending).
import { useState, type FormEvent } from 'react';
import { useApp } from '../../state/app.js';
import { Dialog } from '../../components/Dialog.js';
import { Icon } from '../../components/Icon.js';
import { validPoll } from '../../lib/polls.js';

export function PollDialog({ open, onClose, onSend }: { open: boolean; onClose: () => void; onSend: (q: string, options: string[], multi: boolean) => void }) {
  const { t } = useApp();
  const [question, setQuestion] = useState('');
  const [options, setOptions] = useState(['', '']);
  const [multi, setMulti] = useState(false);
  const [invalid, setInvalid] = useState(false);

  function reset() {
    setQuestion('');
    setOptions(['', '']);
    setMulti(false);
    setInvalid(false);
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    const opts = validPoll(question, options);
    if (!opts) {
      setInvalid(true);
      return;
    }
    onSend(question.trim(), opts, multi);
    reset();
    onClose();
  }

  return (
    <Dialog open={open} onClose={onClose} title={t('createPoll')} testId="poll-dialog">
      <form className="form" onSubmit={submit}>
        <label className="field">
          <span>{t('pollQuestion')}</span>
          <input value={question} dir="auto" maxLength={255} onChange={(e) => setQuestion(e.target.value)} data-testid="poll-question" autoFocus />
        </label>
        <fieldset className="field">
          <legend>{t('pollOptions')}</legend>
          {options.map((o, i) => (
            <div className="option-row" key={i}>
              <input
                value={o}
                dir="auto"
                maxLength={100}
                aria-label={t('pollOption', { n: i + 1 })}
                placeholder={t('pollOption', { n: i + 1 })}
                onChange={(e) => setOptions(options.map((x, k) => (k === i ? e.target.value : x)))}
                data-testid="poll-option-input"
              />
              {options.length > 2 && (
                <button type="button" className="icon-btn" aria-label={t('removeOption', { n: i + 1 })} onClick={() => setOptions(options.filter((_, k) => k !== i))}>
                  <Icon name="trash" size={16} />
                </button>
              )}
            </div>
          ))}
          {options.length < 12 && (
            <button type="button" className="btn small ghost" onClick={() => setOptions([...options, ''])} data-testid="poll-add-option">
              <Icon name="plus" size={16} />
              {t('addOption')}
            </button>
          )}
        </fieldset>
        <label className="check">
          <input type="checkbox" checked={multi} onChange={(e) => setMulti(e.target.checked)} />
          {t('allowMultiple')}
        </label>
        {invalid && (
          <p className="error-inline" role="alert">
            {t('pollNeedsOptions')}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            {t('cancel')}
          </button>
          <button type="submit" className="btn primary" data-testid="poll-send">
            {t('sendPoll')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
