//! A minimal parallel map over a slice, on every core, keeping order.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `f` over `items` on all cores (each thread takes the next item left);
/// results in the order of `items`.
pub fn map<I: Sync, R: Send>(items: &[I], f: impl Fn(&I) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    map_threads(items, threads, f)
}

/// [`map`] for a few large items (a language's pages, a MiB of data to
/// compress): on every core from two items on, where [`map`] keeps fewer
/// than eight cheap items on the calling thread.
pub fn map_few<I: Sync, R: Send>(items: &[I], f: impl Fn(&I) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    spread(items, threads, f)
}

/// The same with a given number of threads (for work that waits on the
/// system more than it computes, such as creating files).
pub fn map_threads<I: Sync, R: Send>(
    items: &[I],
    threads: usize,
    f: impl Fn(&I) -> R + Sync,
) -> Vec<R> {
    let threads = threads.clamp(1, 16);
    if threads == 1 || items.len() < 8 {
        return items.iter().map(f).collect();
    }
    spread(items, threads, f)
}

fn spread<I: Sync, R: Send>(items: &[I], threads: usize, f: impl Fn(&I) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (f, next) = (&f, &next);
                scope.spawn(move || {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        out.push((i, f(item)));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order() {
        let v: Vec<u32> = (0..1000).collect();
        assert_eq!(
            super::map(&v, |x| x * 2),
            v.iter().map(|x| x * 2).collect::<Vec<_>>()
        );
    }

    #[test]
    fn few_items_keep_order_and_use_other_threads() {
        let main = std::thread::current().id();
        let v: Vec<u32> = (0..3).collect();
        let out = super::map_few(&v, |x| (x * 2, std::thread::current().id()));
        assert_eq!(out.iter().map(|(x, _)| *x).collect::<Vec<_>>(), [0, 2, 4]);
        if std::thread::available_parallelism().map_or(1, |n| n.get()) > 1 {
            assert!(out.iter().all(|(_, id)| *id != main));
        }
    }
}
