
app_name = "intel"
urlpatterns = []
