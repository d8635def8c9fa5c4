//! How a long command shows that it is working: a progress bar on stderr
//! when a terminal is attached (`indicatif`), and otherwise — a log file, a
//! cron job — a plain line now and then, so that the output stays readable.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

pub(super) struct Progress {
    bar: Option<ProgressBar>,
    what: &'static str,
    total: Option<u64>,
    done: u64,
}

/// Without a terminal: a line every this many steps (and at the end).
const LINE_EVERY: u64 = 500;

impl Progress {
    /// `total` steps (`None`: not known beforehand) of `what` (e.g. "Zeilen").
    pub(crate) fn new(what: &'static str, total: Option<u64>) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = match total {
                Some(total) => ProgressBar::new(total),
                None => ProgressBar::new_spinner(),
            };
            let template = if total.is_some() { "{bar:40} {pos}/{len} {msg} ({eta})" } else { "{spinner} {pos} {msg}" };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
            bar.set_message(what);
            bar
        });
        Progress { bar, what, total, done: 0 }
    }

    /// One step more; `label` names it (a table) where that helps.
    pub(crate) fn step(&mut self, label: Option<&str>) {
        self.done += 1;
        match &self.bar {
            Some(bar) => {
                bar.inc(1);
                if let Some(label) = label {
                    bar.set_message(format!("{} – {label}", self.what));
                }
            }
            None => {
                let last = self.total == Some(self.done);
                if label.is_some() || self.done % LINE_EVERY == 0 || last {
                    let of = self.total.map_or(String::new(), |total| format!(" von {total}"));
                    let about = label.map_or(String::new(), |label| format!(" ({label})"));
                    eprintln!("{} {}{of}{about}", self.done, self.what);
                }
            }
        }
    }

    /// A line for the operator (a refused row) that does not tear the bar.
    pub(crate) fn say(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    pub(crate) fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}
