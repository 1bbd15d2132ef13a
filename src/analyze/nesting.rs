//! Nested zones (shorewall-zones(5) `child:parent`): each zone's parent is
//! resolved, and the zones are put in Shorewall's dispatch order, every
//! nested zone before its parent (Zones.pm sorts them so).

use super::*;

impl Analyzer<'_> {
    /// Resolves `parent` and reorders `self.zones`: before interfaces,
    /// hosts, policies and rules refer to zones by index.
    pub(super) fn nest_zones(&mut self, raw: &RawModel) {
        let mut parents: Vec<Option<usize>> = vec![None; self.zones.len()];
        for (name, zone) in &raw.zones.0 {
            let Some(parent) = &zone.parent else {
                continue;
            };
            let Some(child) = self.zones.iter().position(|z| z.name == *name.get_ref()) else {
                continue;
            };
            let Some(index) = self.find_zone(parent.get_ref(), parent.span()) else {
                continue;
            };
            if index >= child {
                let kind = ErrorKind::ParentNotBefore {
                    zone: name.get_ref().clone(),
                    parent: parent.get_ref().clone(),
                };
                self.error(Some(parent.span()), kind);
                continue;
            }
            let (family, outer) = (self.zones[child].family, self.zones[index].family);
            if (family.has_ipv4() && !outer.has_ipv4()) || (family.has_ipv6() && !outer.has_ipv6())
            {
                let kind = ErrorKind::NestedFamily {
                    zone: name.get_ref().clone(),
                    parent: parent.get_ref().clone(),
                    family: family.name(),
                };
                // Still nested: the dispatch order raises no second error.
                self.error(Some(parent.span()), kind);
            }
            parents[child] = Some(index);
        }
        let order = dispatch_order(&parents);
        let at = |zone: usize| order.iter().position(|&o| o == zone);
        let mut declared: Vec<Option<Zone>> = std::mem::take(&mut self.zones)
            .into_iter()
            .map(Some)
            .collect();
        for &zone in &order {
            if let Some(mut placed) = declared[zone].take() {
                placed.parent = parents[zone].and_then(at);
                self.zones.push(placed);
            }
        }
    }
}

/// Zones.pm's topological sort: again and again, the first zone in
/// declaration order whose nested zones are all placed. A parent is
/// declared before its children, so every zone is placed.
fn dispatch_order(parents: &[Option<usize>]) -> Vec<usize> {
    let mut order: Vec<usize> = Vec::with_capacity(parents.len());
    let ready = |zone: usize, order: &[usize]| {
        !order.contains(&zone)
            && (0..parents.len())
                .all(|child| parents[child] != Some(zone) || order.contains(&child))
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
            dispatch_order(&[None, None, Some(1), Some(2)]),
            vec![0, 3, 2, 1]
        );
        assert_eq!(dispatch_order(&[None, None]), vec![0, 1]);
    }
}
