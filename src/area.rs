//! The area of interest: does an item touch the city?
//!
//! Configured as SCB geocodes (county "01", municipality "0180"), place names, and named
//! places with a centre and radius (Stockholm's districts). An item touches the area when one
//! of these holds; the most specific evidence is the one recorded:
//! 1. a geocode of the item lies in the area (the same code, or a municipality inside a
//!    configured county);
//! 2. the item's point lies within a place's radius (the nearest such place);
//! 3. a polygon or circle of the item covers or meets a place's circle ("Södermalm", or
//!    "Södermalm +4" when it meets five);
//! 4. a geocode of the item contains the area: the county of a configured municipality, or
//!    "00" (all of Sweden);
//! 5. the item's place name (Polisen's location, an area description) equals a configured
//!    name or place name, ignoring case.
//!
//! Distances use a local flat projection around each place: exact to well under 1 % within
//! the tens of kilometres that matter here.

use crate::item::{GeoArea, LocalMatch, Location, MatchHow};

/// A named place with a centre and a radius.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// Its name, as shown.
    pub name: String,
    /// Centre latitude (WGS84).
    pub lat: f64,
    /// Centre longitude (WGS84).
    pub lon: f64,
    /// Radius in km.
    pub radius_km: f64,
}

/// What counts as local.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AreaOfInterest {
    /// SCB county (2 digits) and municipality (4 digits) codes.
    pub geocodes: Vec<String>,
    /// Place names that count as local (compared ignoring case).
    pub names: Vec<String>,
    /// Places with coordinates.
    pub places: Vec<Place>,
}

/// Km per degree of latitude.
const KM_PER_DEGREE: f64 = 111.32;

impl AreaOfInterest {
    /// Whether nothing is configured (then nothing is local).
    pub fn is_empty(&self) -> bool {
        self.geocodes.is_empty() && self.names.is_empty() && self.places.is_empty()
    }

    /// Why the item with these areas and location touches the area, if it does.
    pub fn locate(&self, areas: &[GeoArea], location: Option<&Location>) -> Option<LocalMatch> {
        self.by_geocode(areas, Within::Inside)
            .or_else(|| location.and_then(|l| self.by_distance(l)))
            .or_else(|| self.by_shape(areas))
            .or_else(|| self.by_geocode(areas, Within::Containing))
            .or_else(|| self.by_name(areas, location))
    }

    fn by_geocode(&self, areas: &[GeoArea], within: Within) -> Option<LocalMatch> {
        let codes = areas.iter().flat_map(|a| &a.geocodes).map(|c| c.trim());
        for code in codes {
            let hit = self.geocodes.iter().find(|mine| match within {
                Within::Inside => code.starts_with(mine.as_str()),
                Within::Containing => code == "00" || (code.len() == 2 && mine.starts_with(code)),
            });
            if hit.is_some() {
                let place = match (within, code) {
                    (Within::Inside, _) => code.to_string(),
                    (Within::Containing, "00") => "00 (hela Sverige)".to_string(),
                    (Within::Containing, _) => format!("{code} (länet)"),
                };
                return Some(LocalMatch {
                    how: MatchHow::Geocode,
                    place,
                    distance_km: None,
                });
            }
        }
        None
    }

    fn by_shape(&self, areas: &[GeoArea]) -> Option<LocalMatch> {
        let touched: Vec<&Place> = self
            .places
            .iter()
            .filter(|place| areas.iter().any(|area| place.meets(area)))
            .collect();
        let first = touched.first()?;
        let place = match touched.len() {
            1 => first.name.clone(),
            n => format!("{} +{}", first.name, n - 1),
        };
        Some(LocalMatch {
            how: MatchHow::Shape,
            place,
            distance_km: None,
        })
    }

    fn by_distance(&self, location: &Location) -> Option<LocalMatch> {
        if location.approximate {
            // A municipality's or county's centre: which district it falls in means nothing.
            return None;
        }
        let (lat, lon) = (location.lat?, location.lon?);
        self.places
            .iter()
            .map(|p| {
                let (x, y) = p.project(lat, lon);
                (p, x.hypot(y))
            })
            .filter(|(p, d)| *d <= p.radius_km)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(p, d)| LocalMatch {
                how: MatchHow::Distance,
                place: p.name.clone(),
                distance_km: Some((d * 10.0).round() / 10.0),
            })
    }

    fn by_name(&self, areas: &[GeoArea], location: Option<&Location>) -> Option<LocalMatch> {
        let names = areas
            .iter()
            .filter_map(|a| a.name.as_deref())
            .chain(location.and_then(|l| l.name.as_deref()));
        for name in names {
            let name = name.trim().to_lowercase();
            let mine = self
                .names
                .iter()
                .chain(self.places.iter().map(|p| &p.name))
                .find(|n| n.to_lowercase() == name);
            if let Some(mine) = mine {
                return Some(LocalMatch {
                    how: MatchHow::Name,
                    place: mine.clone(),
                    distance_km: None,
                });
            }
        }
        None
    }
}

/// Which way a geocode relates to the area.
#[derive(Debug, Clone, Copy)]
enum Within {
    /// The item's code lies inside a configured code.
    Inside,
    /// The item's code contains a configured code (its county, or all of Sweden).
    Containing,
}

impl Place {
    /// Whether a polygon or circle of the area covers or meets this place's circle.
    fn meets(&self, area: &GeoArea) -> bool {
        let polygon_hit = area.polygons.iter().any(|ring| {
            let ring: Vec<(f64, f64)> = ring
                .iter()
                .map(|&(lat, lon)| self.project(lat, lon))
                .collect();
            contains_origin(&ring) || near_origin(&ring, self.radius_km)
        });
        polygon_hit
            || area.circles.iter().any(|&(lat, lon, radius)| {
                let (x, y) = self.project(lat, lon);
                x.hypot(y) <= self.radius_km + radius.max(0.0)
            })
    }

    /// A point in km east and north of the place's centre.
    fn project(&self, lat: f64, lon: f64) -> (f64, f64) {
        let x = (lon - self.lon) * KM_PER_DEGREE * self.lat.to_radians().cos();
        let y = (lat - self.lat) * KM_PER_DEGREE;
        (x, y)
    }
}

/// Whether the origin lies inside the ring (even-odd rule).
fn contains_origin(ring: &[(f64, f64)]) -> bool {
    let mut inside = false;
    for (i, &(xi, yi)) in ring.iter().enumerate() {
        let (xj, yj) = ring[(i + ring.len() - 1) % ring.len()];
        if (yi > 0.0) != (yj > 0.0) && 0.0 < (xj - xi) * (0.0 - yi) / (yj - yi) + xi {
            inside = !inside;
        }
    }
    inside
}

/// Whether some edge of the ring passes within `radius` of the origin.
fn near_origin(ring: &[(f64, f64)], radius: f64) -> bool {
    (0..ring.len()).any(|i| {
        let a = ring[i];
        let b = ring[(i + 1) % ring.len()];
        segment_distance(a, b) <= radius
    })
}

/// Distance from the origin to the segment a–b.
fn segment_distance((ax, ay): (f64, f64), (bx, by): (f64, f64)) -> f64 {
    let (dx, dy) = (bx - ax, by - ay);
    let length2 = dx * dx + dy * dy;
    let t = if length2 == 0.0 {
        0.0
    } else {
        (-(ax * dx + ay * dy) / length2).clamp(0.0, 1.0)
    };
    (ax + t * dx).hypot(ay + t * dy)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stockholm() -> AreaOfInterest {
        AreaOfInterest {
            geocodes: vec!["0180".into()],
            names: vec!["Stockholm".into(), "Stockholms län".into()],
            places: vec![
                Place {
                    name: "Södermalm".into(),
                    lat: 59.315,
                    lon: 18.071,
                    radius_km: 2.0,
                },
                Place {
                    name: "Kista".into(),
                    lat: 59.403,
                    lon: 17.944,
                    radius_km: 1.5,
                },
            ],
        }
    }

    fn area(f: impl FnOnce(&mut GeoArea)) -> Vec<GeoArea> {
        let mut a = GeoArea::default();
        f(&mut a);
        vec![a]
    }

    #[test]
    fn geocodes_match_inside_containing_and_nationwide() {
        let aoi = stockholm();
        let how = |code: &str| aoi.locate(&area(|a| a.geocodes = vec![code.into()]), None);
        assert_eq!(how("0180").unwrap().how, MatchHow::Geocode);
        assert!(
            how("01").is_some(),
            "the county of a configured municipality"
        );
        assert!(how("00").is_some(), "all of Sweden");
        assert!(how("0184").is_none(), "Solna is another municipality");
        assert!(how("12").is_none(), "Skåne");
    }

    #[test]
    fn a_polygon_covering_or_meeting_a_place_is_local() {
        let aoi = stockholm();
        let covering = area(|a| {
            a.polygons = vec![vec![(59.0, 17.5), (59.0, 18.5), (59.6, 18.5), (59.6, 17.5)]]
        });
        let covered = aoi.locate(&covering, None).unwrap();
        assert_eq!(
            (covered.how, covered.place.as_str()),
            (MatchHow::Shape, "Södermalm +1")
        );
        // A small square 1.5 km east of the centre: its edge is within the 2 km radius.
        let meeting = area(|a| {
            a.polygons = vec![vec![
                (59.31, 18.097),
                (59.31, 18.12),
                (59.32, 18.12),
                (59.32, 18.097),
            ]]
        });
        assert!(aoi.locate(&meeting, None).is_some());
        let skane = area(|a| a.polygons = vec![vec![(55.5, 13.0), (55.5, 14.0), (56.0, 14.0)]]);
        assert!(aoi.locate(&skane, None).is_none());
        let circle = area(|a| a.circles = vec![(59.33, 18.07, 2.0)]);
        assert!(aoi.locate(&circle, None).is_some());
    }

    #[test]
    fn a_municipality_centre_names_the_municipality_not_a_district() {
        let aoi = stockholm();
        // Polisen's "Stockholm" comes with the city's centre, which lies in Södermalm's circle.
        let centre = Location {
            name: Some("Stockholm".into()),
            lat: Some(59.3293),
            lon: Some(18.0686),
            approximate: true,
        };
        let m = aoi.locate(&[], Some(&centre)).unwrap();
        assert_eq!((m.how, m.place.as_str()), (MatchHow::Name, "Stockholm"));
        // A neighbouring municipality whose centre lies inside a district's circle is not
        // Stockholm; a precise point there is.
        let neighbour = Location {
            name: Some("Sundbyberg".into()),
            lat: Some(59.40),
            lon: Some(17.95),
            approximate: true,
        };
        assert!(aoi.locate(&[], Some(&neighbour)).is_none());
        let precise = Location {
            approximate: false,
            ..neighbour
        };
        assert_eq!(aoi.locate(&[], Some(&precise)).unwrap().place, "Kista");
    }

    #[test]
    fn a_point_in_a_district_beats_the_county_code() {
        let aoi = stockholm();
        let areas = area(|a| a.geocodes = vec!["01".into()]);
        let point = Location {
            name: None,
            lat: Some(59.31),
            lon: Some(18.07),
            approximate: false,
        };
        assert_eq!(aoi.locate(&areas, Some(&point)).unwrap().place, "Södermalm");
        assert_eq!(aoi.locate(&areas, None).unwrap().place, "01 (länet)");
    }

    #[test]
    fn points_within_a_radius_and_names_are_local() {
        let aoi = stockholm();
        let near = Location {
            name: Some("Hässleholm".into()),
            lat: Some(59.32),
            lon: Some(18.07),
            approximate: false,
        };
        let m = aoi.locate(&[], Some(&near)).unwrap();
        assert_eq!((m.how, m.place.as_str()), (MatchHow::Distance, "Södermalm"));
        assert_eq!(m.distance_km, Some(0.6));
        let far = Location {
            name: Some("Hässleholm".into()),
            lat: Some(56.16),
            lon: Some(13.76),
            approximate: false,
        };
        assert!(aoi.locate(&[], Some(&far)).is_none());
        let named = Location {
            name: Some("stockholms län".into()),
            lat: None,
            lon: None,
            approximate: false,
        };
        assert_eq!(aoi.locate(&[], Some(&named)).unwrap().how, MatchHow::Name);
        assert!(AreaOfInterest::default().locate(&[], Some(&near)).is_none());
    }
}
