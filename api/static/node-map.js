/* The institutes of a Node on a Leaflet map (leaflet from npm, served at /vendor/leaflet/).
 *
 * Reads its data from <script type="application/json" id="node-map-data"> (written by the
 * server with Jinja's |tojson):
 *   {"markers": [{"name": str, "lat": num, "lon": num, "role": str|null, "url": str|null}]}
 * and draws into #node-map. No tile server: a blank background with a graticule (lines every
 * 5 degrees) for orientation, so the page needs no internet. Popups are built from DOM nodes
 * with textContent, never from HTML strings. The institutes are also listed in a table on
 * the page, so nothing depends on this script.
 */
(function () {
  "use strict";
  var holder = document.getElementById("node-map");
  var source = document.getElementById("node-map-data");
  if (!holder || !source || typeof L === "undefined") {
    return;
  }
  var data;
  try {
    data = JSON.parse(source.textContent);
  } catch (err) {
    holder.textContent = "The map data could not be read.";
    return;
  }
  var markers = (data.markers || []).filter(function (m) {
    return isFinite(m.lat) && isFinite(m.lon);
  });
  if (markers.length === 0) {
    holder.hidden = true;
    return;
  }
  holder.classList.add("has-map");
  var map = L.map(holder, { attributionControl: false, zoomSnap: 0.5, keyboard: true });

  for (var lat = -80; lat <= 80; lat += 5) {
    L.polyline([[lat, -180], [lat, 180]], { color: "#c8d1dc", weight: 1, interactive: false }).addTo(map);
  }
  for (var lon = -180; lon <= 180; lon += 5) {
    L.polyline([[-85, lon], [85, lon]], { color: "#c8d1dc", weight: 1, interactive: false }).addTo(map);
  }

  function popup(m) {
    var box = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = m.name;
    box.appendChild(name);
    if (m.role) {
      var role = document.createElement("div");
      role.textContent = m.role;
      box.appendChild(role);
    }
    if (m.url && /^https?:\/\//i.test(m.url)) {
      var link = document.createElement("a");
      link.href = m.url;
      link.textContent = "Website";
      link.rel = "noopener";
      box.appendChild(document.createElement("div")).appendChild(link);
    }
    return box;
  }

  var bounds = [];
  markers.forEach(function (m) {
    L.marker([m.lat, m.lon], { title: m.name, alt: m.name, keyboard: true })
      .bindPopup(popup(m))
      .addTo(map);
    bounds.push([m.lat, m.lon]);
  });
  map.fitBounds(bounds, { padding: [30, 30], maxZoom: 9 });
})();
