// Settings > API keys: the Copy button next to a revealed key.
document.addEventListener("click", (event) => {
  const button = event.target.closest(".copy-key");
  if (!button) return;
  const field = button.parentElement.querySelector(".key-value");
  field.select();
  navigator.clipboard.writeText(field.value).then(
    () => { button.textContent = "Copied"; },
    () => { button.textContent = "Select and copy"; });
});
