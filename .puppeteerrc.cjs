// Never download a browser at install time: the slots use an installed Chrome/Chromium
// (or one shipped with the desktop installer), always passed as executablePath.
module.exports = { skipDownload: true };
