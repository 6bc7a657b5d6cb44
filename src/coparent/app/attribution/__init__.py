"""Attribution in the app: reads only (no models); the page's selector."""
