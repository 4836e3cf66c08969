//! How the binary is linked: libgcc's unwinder is linked in (`build.rs`) where the C compiler has it,
//! and panics still unwind (the agent hook answers an internal error from a caught panic).

use std::path::Path;

/// Whether the C compiler has the static unwinder (`build.rs` links it only then).
fn static_unwinder() -> bool {
    std::process::Command::new("cc")
        .arg("-print-file-name=libgcc_eh.a")
        .output()
        .ok()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .is_some_and(|path| Path::new(&path).is_absolute() && Path::new(&path).exists())
}

#[test]
fn the_binary_loads_no_libgcc_s_where_the_unwinder_is_linked_in() {
    if !cfg!(all(target_os = "linux", target_env = "gnu")) || !static_unwinder() {
        return;
    }
    let binary = std::fs::read(env!("CARGO_BIN_EXE_review-gate")).unwrap();
    let needs = |name: &[u8]| binary.windows(name.len()).any(|w| w == name);
    assert!(needs(b"libc.so.6"), "the dynamic section names libc");
    assert!(!needs(b"libgcc_s.so.1"), "libgcc_s is still a dependency");
}

#[test]
fn a_panic_unwinds_through_frames_and_runs_their_drops() {
    struct Guard<'a>(&'a std::cell::Cell<u32>);
    impl Drop for Guard<'_> {
        fn drop(&mut self) {
            self.0.set(self.0.get() + 1);
        }
    }
    fn deep(n: u32, dropped: &std::cell::Cell<u32>) -> u32 {
        let _guard = Guard(dropped);
        if n == 0 {
            let empty: Vec<u32> = std::hint::black_box(Vec::new());
            return empty[3];
        }
        deep(n - 1, dropped) + 1
    }
    let dropped = std::cell::Cell::new(0);
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| deep(20, &dropped)));
    assert!(caught.is_err());
    assert_eq!(dropped.get(), 21);
    let joined = std::thread::spawn(|| panic!("in a thread")).join();
    assert!(joined.is_err());
}
