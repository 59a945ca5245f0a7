// Upload progress for forms that send files through htmx (the people import).
document.addEventListener("htmx:xhr:progress", function (event) {
  var bar = event.target.querySelector("[data-upload-progress]");
  if (!bar || !event.detail.lengthComputable) return;
  var percent = Math.round((event.detail.loaded / event.detail.total) * 100);
  bar.style.width = percent + "%";
  bar.setAttribute("aria-valuenow", String(percent));
  bar.textContent = percent < 100 ? percent + "% uploaded" : "Checking rows…";
});
