//! Nested zones (shorewall-zones(5) `child:parent`): each zone's parent is
//! resolved, and the zones are put in Shorewall's dispatch order, every
//! nested zone before its parent (Zones.pm sorts them so).

use super::*;
use crate::config::RawParents;

impl Analyzer<'_> {
    /// Resolves `parent` and reorders `self.zones`: before interfaces,
    /// hosts, policies and rules refer to zones by index.
    pub(super) fn nest_zones(&mut self, raw: &RawModel) {
        let mut parents: Vec<Vec<usize>> = vec![Vec::new(); self.zones.len()];
        for (name, zone) in &raw.zones.0 {
            let Some(parent) = &zone.parent else {
                continue;
            };
            let Some(child) = self.zones.iter().position(|z| z.name == *name.get_ref()) else {
                continue;
            };
            if matches!(parent.get_ref(), RawParents::Many(names) if names.is_empty()) {
                let kind = ErrorKind::EmptyParents {
                    zone: name.get_ref().clone(),
                };
                self.error(Some(parent.span()), kind);
            }
            for written in parent_names(parent) {
                if let Some(index) = self.parent(name.get_ref(), child, &written) {
                    if parents[child].contains(&index) {
                        let kind = ErrorKind::DuplicateParent {
                            zone: name.get_ref().clone(),
                            parent: written.get_ref().clone(),
                        };
                        self.error(Some(written.span()), kind);
                    } else {
                        parents[child].push(index);
                    }
                }
            }
        }
        let order = dispatch_order(&parents);
        let at = |zone: usize| order.iter().position(|&o| o == zone);
        let mut declared: Vec<Option<Zone>> = std::mem::take(&mut self.zones)
            .into_iter()
            .map(Some)
            .collect();
        for &zone in &order {
            if let Some(mut placed) = declared[zone].take() {
                placed.parents = parents[zone].iter().filter_map(|&p| at(p)).collect();
                self.zones.push(placed);
            }
        }
    }

    /// Whether zone `child` is `ancestor` or nested in it, at any depth.
    pub(super) fn nested_in(&self, child: usize, ancestor: usize) -> bool {
        let mut stack = vec![child];
        while let Some(zone) = stack.pop() {
            if zone == ancestor {
                return true;
            }
            stack.extend(self.zones[zone].parents.iter().copied());
        }
        false
    }

    /// One parent of zone `child`, declared before it, of every family it
    /// holds.
    fn parent(&mut self, name: &str, child: usize, parent: &Spanned<String>) -> Option<usize> {
        let index = self.find_zone(parent.get_ref(), parent.span())?;
        if index >= child {
            let kind = ErrorKind::ParentNotBefore {
                zone: name.to_owned(),
                parent: parent.get_ref().clone(),
            };
            self.error(Some(parent.span()), kind);
            return None;
        }
        let (family, outer) = (self.zones[child].family, self.zones[index].family);
        if (family.has_ipv4() && !outer.has_ipv4()) || (family.has_ipv6() && !outer.has_ipv6()) {
            let kind = ErrorKind::NestedFamily {
                zone: name.to_owned(),
                parent: parent.get_ref().clone(),
                family: family.name(),
            };
            // Still nested: the dispatch order raises no second error.
            self.error(Some(parent.span()), kind);
        }
        Some(index)
    }
}

/// The parents as written: one name (spanned by the whole value) or a
/// list of names.
fn parent_names(parent: &Spanned<RawParents>) -> Vec<Spanned<String>> {
    match parent.get_ref() {
        RawParents::One(name) => vec![Spanned::new(parent.span(), name.clone())],
        RawParents::Many(names) => names.clone(),
    }
}

/// Zones.pm's topological sort: again and again, the first zone in
/// declaration order whose nested zones are all placed. A parent is
/// declared before its children, so every zone is placed.
fn dispatch_order(parents: &[Vec<usize>]) -> Vec<usize> {
    let mut order: Vec<usize> = Vec::with_capacity(parents.len());
    let ready = |zone: usize, order: &[usize]| {
        !order.contains(&zone)
            && (0..parents.len())
                .all(|child| !parents[child].contains(&zone) || order.contains(&child))
    };
    while let Some(next) = (0..parents.len()).find(|&z| ready(z, &order)) {
        order.push(next);
    }
    order
}

#[cfg(test)]
mod tests {
    use super::dispatch_order;

    /// Shorewall's zones `net loc adm:loc ops:adm`: dispatched as
    /// net, ops, adm, loc.
    #[test]
    fn nested_zones_come_before_their_parents() {
        assert_eq!(
            dispatch_order(&[vec![], vec![], vec![1], vec![2]]),
            vec![0, 3, 2, 1]
        );
        assert_eq!(dispatch_order(&[vec![], vec![]]), vec![0, 1]);
    }

    /// `net dmz loc adm:loc,dmz`: adm comes before both its parents.
    #[test]
    fn a_zone_of_two_parents_comes_before_both() {
        assert_eq!(
            dispatch_order(&[vec![], vec![], vec![], vec![2, 1]]),
            vec![0, 3, 1, 2]
        );
    }
}
