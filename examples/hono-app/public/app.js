// Asks the Worker how long it has been up (relative, like the page's links).
fetch('api/uptime')
  .then((response) => response.json())
  .then(({ uptime }) => {
    document.getElementById('uptime').textContent = uptime
  })
