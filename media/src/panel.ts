// The transcript webview (bundled to media/panel.js). Renders the host's PanelState with DOM text nodes only
// (never innerHTML), so nothing said or named can become markup. Auto-scrolls while the reader is at the bottom
// and stops when they scroll up. Keyboard: every control is a button; the speaker name is an input.
import type { HostToPanel, PanelState, PanelToHost } from '../../src/protocol/panel';
import { clockTime } from '../../src/output/common';

declare function acquireVsCodeApi(): { postMessage(m: PanelToHost): void };
const vscode = acquireVsCodeApi();
const post = (m: PanelToHost) => vscode.postMessage(m);

const COMPONENT_LABEL: Record<string, string> = { load: 'Model', decode: 'Audio', vad: 'Speech', transcription: 'Transcription', diarization: 'Speakers' };

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

const root = document.getElementById('app')!;

// The player lives outside the re-rendered part, so a new state never interrupts what is playing.
const playerBar = el('div', { class: 'player', hidden: '' });
const player = el('audio', { controls: '', preload: 'metadata', 'aria-label': 'Recording' });
const rate = el('span', { class: 'rate', 'aria-live': 'polite' }, '1×');
playerBar.append(player, rate);
root.before(playerBar);
let segments: PanelState['segments'] = [];

/** Where "Play this span" pauses; any other play clears it. */
let stopAt: number | undefined;

function playFrom(seconds: number, until?: number): void {
  if (!player.src) return;
  stopAt = until;
  player.currentTime = seconds;
  void player.play().catch(() => undefined);
}
player.addEventListener('timeupdate', () => {
  if (stopAt !== undefined && player.currentTime >= stopAt) {
    stopAt = undefined;
    player.pause();
  }
});

/** The phrase under the playhead is highlighted and, while the reader follows, kept in view. */
function highlight(): void {
  const t = player.currentTime;
  const index = segments.findIndex((s) => t >= s.start && t < s.end);
  root.querySelectorAll('.turn.current').forEach((e) => e.classList.remove('current'));
  const turn = index >= 0 ? root.querySelector(`.turn[data-index="${index}"]`) : null;
  turn?.classList.add('current');
  // The word under the playhead, when the phrase has word timings: the last one started.
  root.querySelectorAll('.word.current').forEach((e) => e.classList.remove('current'));
  const words = turn ? [...turn.querySelectorAll<HTMLElement>('.word')].filter((w) => Number(w.dataset.start) <= t) : [];
  words.at(-1)?.classList.add('current');
  if (turn && follow && !player.paused) turn.scrollIntoView({ block: 'nearest' });
}
player.addEventListener('timeupdate', highlight);
player.addEventListener('seeked', highlight);

function setRate(r: number): void {
  player.playbackRate = Math.min(2, Math.max(0.5, Math.round(r * 4) / 4));
  rate.textContent = `${player.playbackRate}×`;
}

// Keys (outside text fields): Space or K play/pause, ← → or J L five seconds back/forward, [ ] slower/faster.
window.addEventListener('keydown', (e) => {
  if (e.target instanceof HTMLInputElement || !player.src || e.ctrlKey || e.metaKey || e.altKey) return;
  const key = e.key;
  if (key === ' ' || key === 'k') {
    if (player.paused) void player.play().catch(() => undefined);
    else player.pause();
  } else if (key === 'ArrowLeft' || key === 'j') player.currentTime = Math.max(0, player.currentTime - 5);
  else if (key === 'ArrowRight' || key === 'l') player.currentTime = player.currentTime + 5;
  else if (key === '[') setRate(player.playbackRate - 0.25);
  else if (key === ']') setRate(player.playbackRate + 0.25);
  else return;
  e.preventDefault();
});
let follow = true;
window.addEventListener('scroll', () => {
  follow = window.innerHeight + window.scrollY >= document.body.scrollHeight - 8;
});

function render(state: PanelState): void {
  const frag = document.createDocumentFragment();
  const header = el('header');
  header.append(el('h1', {}, state.title), el('span', { class: `status status-${state.status}`, role: 'status', 'aria-live': 'polite' }, state.status));
  frag.append(header);
  if (state.level) {
    const meter = el('div', {
      class: 'meter',
      role: 'meter',
      'aria-label': 'Audio level',
      'aria-valuemin': '0',
      'aria-valuemax': '100',
      'aria-valuenow': String(Math.round(state.level.peak * 100)),
    });
    const bar = el('div', { class: 'meter-bar' });
    bar.style.width = `${Math.min(100, Math.round(Math.sqrt(state.level.peak) * 100))}%`;
    meter.append(bar);
    frag.append(meter, el('div', { class: 'elapsed' }, clockTime(state.level.seconds)));
  }
  for (const [component, percent] of Object.entries(state.progress)) {
    const row = el('div', { class: 'progress' });
    const p = el('progress', { max: '100', value: String(percent), 'aria-label': `${COMPONENT_LABEL[component] ?? component} progress` });
    row.append(el('span', {}, `${COMPONENT_LABEL[component] ?? component}`), p, el('span', {}, `${Math.round(percent ?? 0)} %`));
    frag.append(row);
  }
  if (state.error) frag.append(el('div', { class: 'banner error', role: 'alert' }, state.error));
  if (state.queue) frag.append(renderQueue(state.queue));
  for (const b of state.banners) frag.append(el('div', { class: 'banner warning', role: 'note' }, b));
  if (Object.keys(state.speakers).length) {
    const list = el('div', { class: 'speakers', 'aria-label': 'Speakers' });
    for (const [id, name] of Object.entries(state.speakers)) {
      const input = el('input', { type: 'text', value: name, 'aria-label': `Rename ${name}`, 'data-speaker': id });
      input.addEventListener('change', () => post({ type: 'rename', speaker: id, name: input.value }));
      list.append(input);
      const others = Object.entries(state.speakers).filter(([other]) => other !== id);
      if (others.length && state.exports.length) {
        const merge = el('select', { class: 'merge', 'data-merge': id, 'aria-label': `Merge ${name} into another speaker` });
        merge.append(el('option', { value: '' }, 'Merge into…'));
        for (const [other, otherName] of others) merge.append(el('option', { value: other }, otherName));
        merge.addEventListener('change', () => merge.value && post({ type: 'merge', from: id, into: merge.value }));
        list.append(merge);
      }
      if (state.voices.includes(id)) {
        const remember = el(
          'button',
          { class: 'remember', title: `Remember this voice as… (later recordings name ${name})`, 'data-remember': id },
          'Remember voice…',
        );
        remember.addEventListener('click', () => post({ type: 'rememberVoice', speaker: id }));
        list.append(remember);
      }
    }
    frag.append(list);
  }
  if ((state.audio?.src ?? '') !== (player.getAttribute('src') ?? '')) {
    if (state.audio) player.setAttribute('src', state.audio.src);
    else player.removeAttribute('src');
    playerBar.hidden = !state.audio;
  }
  segments = state.segments;
  const transcript = el('section', { class: 'transcript', 'aria-label': 'Transcript' });
  let last: string | undefined = '\0';
  for (const [index, seg] of state.segments.entries()) {
    const turn = el('div', { class: 'turn', 'data-index': String(index) });
    const stamp = el(
      'button',
      {
        class: 'stamp',
        'data-start': String(seg.start),
        title: 'Play from here (Shift: reveal in the notes; Alt: copy the timestamp)',
        'aria-label': `Play from ${clockTime(seg.start)}`,
      },
      `[${clockTime(seg.start)}]`,
    );
    stamp.addEventListener('click', (ev) => {
      const e = ev as MouseEvent;
      if (e.shiftKey) post({ type: 'reveal', seconds: seg.start });
      else if (e.altKey || !state.audio) post({ type: 'copyTimestamp', seconds: seg.start });
      else playFrom(seg.start);
    });
    turn.append(stamp);
    if (seg.speaker && seg.speaker !== last) turn.append(el('strong', { class: 'speaker' }, state.speakers[seg.speaker] ?? seg.speaker));
    if (seg.suspect) {
      turn.classList.add('suspect');
      turn.append(el('span', { class: 'suspect-mark', title: seg.suspect, 'aria-label': seg.suspect }, '⚠'));
    }
    const text = el('span', { class: 'text' });
    if (seg.words?.length) {
      // With word timings, a click on a word plays from that word; unsure words are underlined.
      for (const w of seg.words) {
        const attrs: Record<string, string> = { class: w.unsure !== undefined ? 'word unsure' : 'word', 'data-start': String(w.start) };
        if (w.unsure !== undefined) attrs.title = `Whisper was unsure of this word (probability ${Math.round(w.unsure * 100)} %)`;
        const span = el('span', attrs, w.text);
        if (state.audio)
          span.addEventListener('click', (ev) => {
            ev.stopPropagation();
            playFrom(w.start);
          });
        text.append(span);
      }
    } else text.textContent = seg.text;
    // Without word timings, a click on the words plays their phrase.
    if (state.audio) text.addEventListener('click', () => playFrom(seg.start));
    turn.append(text);
    last = seg.speaker;
    transcript.append(turn);
  }
  if (state.partial) transcript.append(el('div', { class: 'turn partial', 'aria-live': 'polite' }, state.partial.text));
  frag.append(transcript);
  if (state.exports.length) {
    const bar = el('div', { class: 'exports', role: 'toolbar', 'aria-label': 'Export' });
    for (const { format, label } of state.exports) {
      const b = el('button', { 'aria-label': `Export as ${label}` }, label.toUpperCase());
      b.addEventListener('click', () => post({ type: 'export', format }));
      bar.append(b);
    }
    frag.append(bar);
  }
  // Keep focus in a speaker field being edited across re-renders.
  const editing = document.activeElement instanceof HTMLInputElement ? document.activeElement.dataset.speaker : undefined;
  root.replaceChildren(frag);
  if (editing) (root.querySelector(`input[data-speaker="${CSS.escape(editing)}"]`) as HTMLInputElement | null)?.focus();
  if (follow && player.paused) window.scrollTo(0, document.body.scrollHeight);
  highlight();
}

/** The queue: a row per recording (state, progress bar while it runs, the reason when it did not finish), Cancel buttons. */
function renderQueue(queue: NonNullable<PanelState['queue']>): HTMLElement {
  const section = el('section', { class: 'queue', 'aria-label': 'Transcription queue' });
  const open = queue.items.some((i) => i.status === 'waiting' || i.status === 'running');
  const head = el('div', { class: 'queue-head' }, `Queue: ${queue.items.length} recordings`);
  if (open) {
    const all = el('button', { class: 'queue-cancel-all', 'aria-label': 'Cancel the whole queue' }, 'Cancel all');
    all.addEventListener('click', () => post({ type: 'cancelQueue' }));
    head.append(all);
  }
  section.append(head);
  queue.items.forEach((item, index) => {
    const row = el('div', { class: `queue-item queue-${item.status}`, 'data-status': item.status });
    row.append(el('span', { class: 'queue-name' }, item.name), el('span', { class: 'queue-status' }, item.status === 'running' ? 'transcribing' : item.status));
    if (item.status === 'running') {
      const percent = Math.round(item.percent ?? 0);
      row.append(
        el('progress', { max: '100', value: String(percent), 'aria-label': `${item.name} progress` }),
        el('span', { class: 'queue-percent' }, `${percent} %`),
      );
    }
    if (item.reason && item.status !== 'cancelled') row.append(el('span', { class: 'queue-reason' }, item.reason));
    if (item.status === 'waiting' || item.status === 'running') {
      const b = el('button', { class: 'queue-cancel', 'aria-label': `Cancel ${item.name}` }, 'Cancel');
      b.addEventListener('click', () => post({ type: 'cancelQueued', index }));
      row.append(b);
    }
    section.append(row);
  });
  if (queue.summary) section.append(el('div', { class: 'queue-summary', role: 'status' }, `Finished: ${queue.summary}`));
  return section;
}

window.addEventListener('message', (event: MessageEvent<HostToPanel>) => {
  if (event.data?.type === 'state') render(event.data.state);
  else if (event.data?.type === 'seek') playFrom(event.data.seconds, event.data.until);
});
post({ type: 'ready' });
