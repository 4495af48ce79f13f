// The current node's time box counting down on the engine's clock, flagged once it is overrun.
import { useEffect, useState } from 'react';
import { formatCountdown, formatSeconds } from './walk-format';

export function TimeBox({
  deadline,
  seconds,
  clockOffsetMs,
}: {
  deadline: string;
  seconds: number;
  clockOffsetMs: number;
}) {
  const [now, setNow] = useState(() => Date.now() + clockOffsetMs);
  useEffect(() => {
    setNow(Date.now() + clockOffsetMs);
    const timer = setInterval(() => setNow(Date.now() + clockOffsetMs), 1000);
    return () => clearInterval(timer);
  }, [clockOffsetMs, deadline]);
  const left = (Date.parse(deadline) - now) / 1000;
  const over = left < 0;
  return (
    <div
      className={`time-box${over ? ' is-overrun' : left < 60 ? ' is-short' : ''}`}
      role="timer"
      aria-label={
        over ? `Time box of ${formatSeconds(seconds)} overrun` : `Time box of ${formatSeconds(seconds)}`
      }
      data-overrun={over}
      data-testid="time-box"
    >
      <span className="time-box-label">Time box {formatSeconds(seconds)}</span>
      <span className="time-box-count">
        {over ? `over by ${formatCountdown(-left)}` : `${formatCountdown(left)} left`}
      </span>
      {over ? <span className="time-box-flag">Overrun</span> : null}
    </div>
  );
}
