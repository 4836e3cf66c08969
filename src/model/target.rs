//! The target grammar of allow markers, configuration and hook settings: a check id, an id prefix
//! (`exec.python`, `exec.python*`), a category, or `all`.

use super::Category;

/// Whether an allow target (id, id prefix, category or `all`) covers a check.
pub fn target_covers(target: &str, check: &str, category: Category) -> bool {
    target == "all"
        || target == category.as_str()
        || target == check
        || (check.starts_with(target) && check.as_bytes().get(target.len()) == Some(&b'.'))
        || target
            .strip_suffix('*')
            .is_some_and(|prefix| check.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_cover_ids_prefixes_categories_and_all() {
        let id = "exec.python.subprocess";
        assert!(target_covers("all", id, Category::Exec));
        assert!(target_covers("exec", id, Category::Exec));
        assert!(target_covers(id, id, Category::Exec));
        assert!(target_covers("exec.python", id, Category::Exec));
        assert!(target_covers("exec.py*", id, Category::Exec));
        assert!(!target_covers("exec.py", id, Category::Exec));
        assert!(!target_covers("eval", id, Category::Exec));
    }
}
