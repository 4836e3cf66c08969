//! The agent hook's allocator: one transparent huge page, handed out by bumping a pointer.
//!
//! The hook is a process started for each tool call that lives a few milliseconds. Under the system
//! allocator its ~1 MB of heap comes one 4 KB page fault at a time, some 250 faults at 1–2 µs each on a
//! virtual machine, which was a fifth of a `Write` call. Here the first allocations come from one 2 MB
//! region the kernel backs with a single huge page (one fault) when transparent huge pages are enabled
//! (`always` or `madvise`); what does not fit, and everything when they are not, goes to the system
//! allocator. Memory freed in the region is reused only when it was the last block handed out (a vector
//! grown in place, a temporary freed at once); the rest waits for the process to end, which is soon.
//!
//! Every other command keeps the system allocator alone: [`Arena::enable`] is called by the agent hook
//! only, and until then every call goes straight to [`System`].

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The size of the region: one huge page on x86-64 and aarch64 with 4 KB pages.
pub const REGION: usize = 2 << 20;

/// A bump allocator over one region, in front of the system allocator (see the module's text).
#[derive(Debug)]
pub struct Arena {
    /// The first byte of the region; 0 while the arena is off.
    start: AtomicUsize,
    /// The first byte not handed out.
    next: AtomicUsize,
    /// One past the last byte of the region.
    end: AtomicUsize,
}

impl Arena {
    /// An arena that is off: every call goes to the system allocator until [`Arena::enable`].
    pub const fn new() -> Arena {
        Arena {
            start: AtomicUsize::new(0),
            next: AtomicUsize::new(0),
            end: AtomicUsize::new(0),
        }
    }

    /// Maps the region and starts serving allocations from it, when transparent huge pages are enabled
    /// (with 4 KB pages a bump allocator that seldom reuses memory faults more than the system one).
    /// Returns whether it did. Call it once, before any other thread allocates.
    pub fn enable(&self) -> bool {
        if self.start.load(Ordering::Acquire) != 0 || !huge_pages_enabled() {
            return false;
        }
        match map_region() {
            Some(start) => {
                self.next.store(start, Ordering::Relaxed);
                self.end.store(start + REGION, Ordering::Relaxed);
                self.start.store(start, Ordering::Release);
                true
            }
            None => false,
        }
    }

    /// Whether `ptr` was handed out by the region.
    fn owns(&self, ptr: *mut u8) -> bool {
        let start = self.start.load(Ordering::Acquire);
        let at = ptr as usize;
        start != 0 && at >= start && at < self.end.load(Ordering::Relaxed)
    }

    /// A block of the region for `layout`, or null when the arena is off or full.
    fn bump(&self, layout: Layout) -> *mut u8 {
        if self.start.load(Ordering::Acquire) == 0 {
            return std::ptr::null_mut();
        }
        let end = self.end.load(Ordering::Relaxed);
        let mut current = self.next.load(Ordering::Relaxed);
        loop {
            let Some(block_end) = current
                .checked_next_multiple_of(layout.align())
                .and_then(|at| at.checked_add(layout.size()).map(|e| (at, e)))
                .filter(|(_, e)| *e <= end)
            else {
                return std::ptr::null_mut();
            };
            match self.next.compare_exchange_weak(
                current,
                block_end.1,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return block_end.0 as *mut u8,
                Err(now) => current = now,
            }
        }
    }
}

impl Default for Arena {
    fn default() -> Arena {
        Arena::new()
    }
}

// SAFETY: every block handed out lies in the mapped region (bounds checked against `end`, which never
// changes once set), is aligned as asked, and is handed out once: `next` only moves by compare-and-swap,
// past a block when it is allocated and back to its start only when that block, the last one, is freed
// or resized. Pointers outside the region are the system allocator's and go back to it.
unsafe impl GlobalAlloc for Arena {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let block = self.bump(layout);
        if !block.is_null() {
            return block;
        }
        // SAFETY: the caller's contract (a layout of non-zero size) is passed on unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if self.owns(ptr) {
            // The last block handed out is taken back; any other stays until the process ends.
            let block_end = ptr as usize + layout.size();
            let _ = self.next.compare_exchange(
                block_end,
                ptr as usize,
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
            return;
        }
        // SAFETY: `ptr` came from `System.alloc` with this layout (the region did not hand it out).
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !self.owns(ptr) {
            // SAFETY: `ptr` came from `System.alloc` with this layout; the caller's contract holds.
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        // The last block handed out grows or shrinks where it is when the region has room; another
        // block shrinks where it is (the bytes past its new size wait for the process to end).
        let block_end = ptr as usize + layout.size();
        if let Some(new_end) = (ptr as usize).checked_add(new_size) {
            if new_end <= self.end.load(Ordering::Relaxed)
                && self
                    .next
                    .compare_exchange(block_end, new_end, Ordering::Relaxed, Ordering::Relaxed)
                    .is_ok()
            {
                return ptr;
            }
        }
        if new_size <= layout.size() {
            return ptr;
        }
        // SAFETY: the caller guarantees `new_size`, rounded up to the alignment, does not overflow.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: `new_layout` has the non-zero size the caller guarantees.
        let moved = unsafe { self.alloc(new_layout) };
        if !moved.is_null() {
            // SAFETY: both blocks are live, distinct and at least this long.
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        moved
    }
}

/// Whether the kernel backs a region advised so with transparent huge pages (`always` or `madvise`).
#[cfg(target_os = "linux")]
fn huge_pages_enabled() -> bool {
    std::fs::read("/sys/kernel/mm/transparent_hugepage/enabled")
        .is_ok_and(|mode| !mode.windows(7).any(|w| w == b"[never]"))
}

#[cfg(not(target_os = "linux"))]
fn huge_pages_enabled() -> bool {
    false
}

/// Maps a region of [`REGION`] bytes aligned to its size, advised to be backed by a huge page; None when
/// the kernel refuses. Nothing is touched: the page comes with the first write.
#[cfg(target_os = "linux")]
fn map_region() -> Option<usize> {
    // Twice the size, so that an aligned region lies inside; the rest is never touched.
    let length = 2 * REGION;
    // SAFETY: an anonymous private mapping at an address the kernel chooses aliases nothing.
    let mapped = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            length,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        )
    };
    if mapped == libc::MAP_FAILED {
        return None;
    }
    let start = (mapped as usize).next_multiple_of(REGION);
    // SAFETY: the range lies inside the mapping just made. Without the advice the region still works,
    // with 4 KB pages.
    unsafe { libc::madvise(start as *mut libc::c_void, REGION, libc::MADV_HUGEPAGE) };
    Some(start)
}

#[cfg(not(target_os = "linux"))]
fn map_region() -> Option<usize> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An arena that is on whatever the machine's huge-page setting (the region works with small pages).
    fn enabled() -> Arena {
        let arena = Arena::new();
        if let Some(start) = map_region() {
            arena.next.store(start, Ordering::Relaxed);
            arena.end.store(start + REGION, Ordering::Relaxed);
            arena.start.store(start, Ordering::Release);
        }
        arena
    }

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    /// Blocks are aligned, distinct and inside the region; the region full, the system allocator serves.
    #[test]
    fn blocks_are_aligned_distinct_and_fall_back_when_full() {
        let arena = enabled();
        if arena.start.load(Ordering::Relaxed) == 0 {
            return; // no mmap here: every call goes to the system allocator, tested by the suite
        }
        let mut blocks = Vec::new();
        for (i, align) in [1, 8, 16, 64, 4096].iter().cycle().take(50).enumerate() {
            let l = layout(1 + i * 37, *align);
            let p = unsafe { arena.alloc(l) };
            assert!(!p.is_null() && (p as usize).is_multiple_of(*align));
            assert!(arena.owns(p));
            unsafe { p.write_bytes(i as u8, l.size()) };
            blocks.push((p, l, i as u8));
        }
        for (p, l, fill) in &blocks {
            let bytes = unsafe { std::slice::from_raw_parts(*p, l.size()) };
            assert!(bytes.iter().all(|b| b == fill), "blocks overlap");
        }
        let big = layout(REGION, 8);
        let outside = unsafe { arena.alloc(big) };
        assert!(!outside.is_null() && !arena.owns(outside));
        unsafe { arena.dealloc(outside, big) };
        for (p, l, _) in blocks {
            unsafe { arena.dealloc(p, l) };
        }
    }

    /// The last block grows and shrinks in place; another block moves with its bytes; the last block
    /// freed is reused.
    #[test]
    fn realloc_keeps_bytes_and_grows_the_last_block_in_place() {
        let arena = enabled();
        if arena.start.load(Ordering::Relaxed) == 0 {
            return;
        }
        let l = layout(16, 8);
        let first = unsafe { arena.alloc(l) };
        unsafe { first.write_bytes(7, 16) };
        let grown = unsafe { arena.realloc(first, l, 4096) };
        assert_eq!(grown, first, "the last block grows in place");
        let other = unsafe { arena.alloc(l) };
        let moved = unsafe { arena.realloc(grown, layout(4096, 8), 8192) };
        assert_ne!(moved, grown, "a block that is not the last moves");
        let bytes = unsafe { std::slice::from_raw_parts(moved, 16) };
        assert!(bytes.iter().all(|&b| b == 7));
        unsafe { arena.dealloc(moved, layout(8192, 8)) };
        let again = unsafe { arena.alloc(layout(8192, 8)) };
        assert_eq!(again, moved, "the last block freed is handed out again");
        unsafe {
            arena.dealloc(again, layout(8192, 8));
            arena.dealloc(other, l);
        }
        // Too large for what is left: the bytes move to the system allocator.
        let tail = unsafe { arena.alloc(l) };
        unsafe { tail.write_bytes(3, 16) };
        let huge = unsafe { arena.realloc(tail, l, 2 * REGION) };
        assert!(!arena.owns(huge));
        assert!(unsafe { std::slice::from_raw_parts(huge, 16) }
            .iter()
            .all(|&b| b == 3));
        unsafe { arena.dealloc(huge, layout(2 * REGION, 8)) };
    }

    /// Threads allocating at once get disjoint blocks.
    #[test]
    fn threads_get_disjoint_blocks() {
        let arena = enabled();
        if arena.start.load(Ordering::Relaxed) == 0 {
            return;
        }
        let arena = &arena;
        std::thread::scope(|scope| {
            for t in 0..4u8 {
                scope.spawn(move || {
                    let mut mine = Vec::new();
                    for _ in 0..500 {
                        let l = layout(24, 8);
                        let p = unsafe { arena.alloc(l) };
                        unsafe { p.write_bytes(t, 24) };
                        mine.push(p);
                    }
                    for p in mine {
                        let bytes = unsafe { std::slice::from_raw_parts(p, 24) };
                        assert!(bytes.iter().all(|&b| b == t), "another thread wrote here");
                        unsafe { arena.dealloc(p, layout(24, 8)) };
                    }
                });
            }
        });
    }

    /// Off, it hands nothing out of its own.
    #[test]
    fn an_arena_that_is_off_uses_the_system_allocator() {
        let arena = Arena::new();
        let l = layout(64, 8);
        let p = unsafe { arena.alloc(l) };
        assert!(!p.is_null() && !arena.owns(p));
        let p = unsafe { arena.realloc(p, l, 128) };
        unsafe { arena.dealloc(p, layout(128, 8)) };
    }
}
