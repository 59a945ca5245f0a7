// The profile's time zone: when the person has not chosen one yet (the select carries
// data-zone-unset), preselect the zone their browser reports, if the list has it. The
// server validates whatever is sent; this only saves a scroll through 600 names.
(function () {
  "use strict";
  var select = document.querySelector("select[data-zone-unset]");
  if (!select || !window.Intl || !Intl.DateTimeFormat) return;
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) return;
  for (var i = 0; i < select.options.length; i++) {
    if (select.options[i].value === zone) {
      select.value = zone;
      var hint = document.getElementById("timezone-from-browser");
      if (hint) hint.hidden = false;
      return;
    }
  }
})();
